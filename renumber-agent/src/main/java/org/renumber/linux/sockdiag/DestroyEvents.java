package org.renumber.linux.sockdiag;

import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_SOCK_DIAG;
import static org.renumber.linux.netlink.NetlinkConstants.SKNLGRP_INET6_TCP_DESTROY;
import static org.renumber.linux.netlink.NetlinkConstants.SKNLGRP_INET_TCP_DESTROY;
import static org.renumber.linux.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;

import java.net.InetAddress;
import java.time.Duration;
import org.renumber.domain.NetworkException;
import org.renumber.linux.Errno;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.netlink.EventFd;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's TCP socket-destroy multicast groups ({@code SKNLGRP_INET_TCP_DESTROY},
 * {@code SKNLGRP_INET6_TCP_DESTROY}) for {@link SockDiagConnectionTracker}: one socket and its reader thread,
 * alive while any watch is open. The groups carry every TCP socket the kernel frees in the namespace; the reader
 * hands the ones on a watched address to its {@link Listener}. The thread blocks in poll(2) on the socket and an
 * eventfd that {@link #stop} signals. Joining the groups needs CAP_NET_ADMIN (the constructor throws without it).
 */
final class DestroyEvents {

    private static final Logger log = LoggerFactory.getLogger(DestroyEvents.class);

    /** Kernel buffer for destroy events: every TCP socket of the namespace produces one. */
    private static final int EVENT_RECEIVE_BUFFER = 4 * 1024 * 1024;

    /** Called on the reader thread. */
    interface Listener {
        /** Whether sockets on {@code local} are counted. */
        boolean watches(InetAddress local);

        /** The socket with {@code cookie} on a watched {@code local} address was freed. */
        void destroyed(InetAddress local, long cookie);

        /** Events were lost (ENOBUFS): every count needs a walk. */
        void lost();
    }

    private final LinuxNetns netns;
    private final Listener listener;
    private final Duration safetyInterval;
    private final NetlinkSocket events;
    private final EventFd wakeup;
    private volatile boolean running = true;

    /** Joins the destroy groups and starts the reader thread. */
    DestroyEvents(LinuxNetns netns, Listener listener, Duration safetyInterval) {
        this.netns = netns;
        this.listener = listener;
        this.safetyInterval = safetyInterval;
        events = NetlinkSocket.openIn(netns, NETLINK_SOCK_DIAG);
        try {
            int size = events.setReceiveBufferSize(EVENT_RECEIVE_BUFFER);
            log.debug("sock_diag event socket in {} has a {} byte receive buffer", netns.describe(), size);
            events.joinGroup(SKNLGRP_INET_TCP_DESTROY);
            events.joinGroup(SKNLGRP_INET6_TCP_DESTROY);
            wakeup = new EventFd();
        } catch (RuntimeException e) {
            events.close();
            throw e;
        }
        Thread thread = new Thread(this::run, "renumber-tracker-events-" + (netns.name() == null ? "self" : netns.name()));
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        running = false;
        wakeup.signal();
        // The thread closes the socket and the eventfd itself once poll returns.
    }

    private void run() {
        try {
            while (running) {
                if (!events.awaitReadable(wakeup, -1)) {
                    continue;
                }
                try {
                    events.receiveEvents(this::onEvent);
                } catch (NetworkException e) {
                    if (e.errno() != Errno.ENOBUFS) {
                        throw e;
                    }
                    log.debug("sock_diag events lost in {} (ENOBUFS); re-counting every watched address",
                            netns.describe());
                    listener.lost();
                }
            }
        } catch (RuntimeException e) {
            log.warn("sock_diag event reader in {} stopped; the {} ms safety timer keeps counts current",
                    netns.describe(), safetyInterval.toMillis(), e);
        } finally {
            events.close();
            wakeup.close();
        }
    }

    /** Every TCP socket freed in the namespace comes by; the ones on a watched address go to the listener. */
    private void onEvent(NetlinkMessage message) {
        if (message.type() != SOCK_DIAG_BY_FAMILY) {
            return;
        }
        StructInetDiagMsg socket = StructInetDiagMsg.parse(message.body());
        InetAddress local = socket.id().sourceAddress(socket.family());
        if (listener.watches(local)) {
            listener.destroyed(local, socket.id().cookie());
        }
    }
}
