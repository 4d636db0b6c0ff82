package org.renumber.linux;

import static org.renumber.linux.NetlinkConstants.INET_DIAG_REQ_BYTECODE;
import static org.renumber.linux.NetlinkConstants.IPPROTO_TCP;
import static org.renumber.linux.NetlinkConstants.NETLINK_SOCK_DIAG;
import static org.renumber.linux.NetlinkConstants.NLM_F_DUMP;
import static org.renumber.linux.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.NetlinkConstants.SKNLGRP_INET6_TCP_DESTROY;
import static org.renumber.linux.NetlinkConstants.SKNLGRP_INET_TCP_DESTROY;
import static org.renumber.linux.NetlinkConstants.SOCK_DIAG_BY_FAMILY;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.renumber.domain.ConnectionTracker;
import org.renumber.domain.NetworkException;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ConnectionTracker} over sock_diag (NETLINK_SOCK_DIAG) in one network namespace.
 *
 * <p>{@link #sockets} dumps the TCP sockets of both families with an inet_diag filter on the local address,
 * so the kernel copies only matching sockets (it still walks its whole table). An IPv4 address also finds
 * IPv4-mapped sockets of dual-stack AF_INET6 sockets (what Java opens by default): the kernel matches
 * {@code ::ffff:a.b.c.d} against an AF_INET condition. TIME_WAIT and NEW_SYN_RECV entries are left out.
 *
 * <p>{@link #watch} follows a count with the TCP socket-destroy multicast groups: one reader thread takes the
 * events and, when one concerns a watched address (or events were lost: ENOBUFS), the tracker thread dumps
 * again and reports a changed count. A socket closed by its application is orphaned at once (inode 0, no
 * longer counted) but only destroyed, with an event, when the kernel frees it, possibly a minute later
 * (FIN_WAIT2); a slow safety timer therefore re-counts every watched address too.
 */
public final class SockDiagConnectionTracker implements ConnectionTracker, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SockDiagConnectionTracker.class);

    public static final Duration DEFAULT_SAFETY_INTERVAL = Duration.ofSeconds(2);
    /** Kernel buffer for destroy events: every TCP socket of the namespace produces one. */
    private static final int EVENT_RECEIVE_BUFFER = 4 * 1024 * 1024;
    /** All TCP states (bits 1..11) but TIME_WAIT; NEW_SYN_RECV (bit 12, half-open requests) left out too. */
    static final int STATES = 0xffe & ~(1 << TcpState.TIME_WAIT.kernelValue());

    private final LinuxNetns netns;
    private final Duration safetyInterval;
    private final NetlinkSocket dumpSocket;
    private final ScheduledExecutorService tracker;
    private final Map<InetAddress, Set<WatchImpl>> watches = new ConcurrentHashMap<>();
    private final Set<InetAddress> recountPending = ConcurrentHashMap.newKeySet();
    private final Object lifecycle = new Object();
    private EventReader reader;
    private ScheduledFuture<?> safetyTimer;
    private volatile Thread trackerThread;
    private volatile boolean closed;

    public SockDiagConnectionTracker(LinuxNetns netns) {
        this(netns, DEFAULT_SAFETY_INTERVAL);
    }

    /** @param safetyInterval how often watched addresses are re-counted without an event */
    public SockDiagConnectionTracker(LinuxNetns netns, Duration safetyInterval) {
        this.netns = Objects.requireNonNull(netns, "netns");
        this.safetyInterval = Objects.requireNonNull(safetyInterval, "safetyInterval");
        if (safetyInterval.isNegative() || safetyInterval.isZero()) {
            throw new IllegalArgumentException("safety interval must be positive, got " + safetyInterval);
        }
        this.dumpSocket = netns.openSocket(NETLINK_SOCK_DIAG);
        String suffix = netns.name() == null ? "self" : netns.name();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "renumber-tracker-" + suffix);
            thread.setDaemon(true);
            trackerThread = thread;
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.tracker = executor;
    }

    @Override
    public List<SocketEntry> sockets(InetAddress address) {
        Objects.requireNonNull(address, "address");
        List<SocketEntry> result = new ArrayList<>();
        if (address instanceof Inet4Address) {
            result.addAll(dump(LibC.AF_INET, address));
        }
        result.addAll(dump(LibC.AF_INET6, address));
        return result;
    }

    @Override
    public Watch watch(InetAddress address, IntConsumer onCount) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(onCount, "onCount");
        WatchImpl watch = new WatchImpl(address, onCount);
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("connection tracker for " + netns.describe() + " is closed");
            }
            if (safetyTimer == null) {
                safetyTimer = tracker.scheduleWithFixedDelay(this::recountAll, safetyInterval.toMillis(),
                        safetyInterval.toMillis(), TimeUnit.MILLISECONDS);
                try {
                    reader = new EventReader();
                } catch (NetworkException e) {
                    // Joining the destroy groups needs CAP_NET_ADMIN in the namespace's user namespace.
                    log.warn("no TCP destroy events in {} ({}); counts follow the {} ms safety timer only",
                            netns.describe(), e.getMessage(), safetyInterval.toMillis());
                }
            }
            watches.computeIfAbsent(address, a -> new CopyOnWriteArraySet<>()).add(watch);
        }
        // The first count is delivered before watch() returns, from the tracker thread like all later ones.
        Future<?> first = tracker.submit(() -> watch.deliver(countConnections(address)));
        if (Thread.currentThread() != trackerThread) { // a listener opening a watch must not wait for itself
            try {
                first.get();
            } catch (CancellationException e) {
                throw new IllegalStateException("connection tracker for " + netns.describe() + " closed", e);
            } catch (ExecutionException e) {
                watch.close();
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                watch.close();
                throw new IllegalStateException("interrupted while counting connections on " + IpText.of(address), e);
            }
        }
        return watch;
    }

    /** Stops the event reader and the tracker thread and closes the sockets; open watches stop reporting. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            watches.clear();
            stopEventsLocked();
        }
        for (Runnable queued : tracker.shutdownNow()) {
            if (queued instanceof Future<?> future) {
                future.cancel(false); // a watch() waiting for its first count gets an answer
            }
        }
        try {
            tracker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dumpSocket.close();
    }

    @Override
    public String toString() {
        return "sock_diag in " + netns.describe();
    }

    private List<SocketEntry> dump(int family, InetAddress address) {
        return dumpSocket.transact("list " + (family == LibC.AF_INET ? "IPv4" : "IPv6") + " TCP sockets on "
                + IpText.of(address) + " in " + netns.describe(), dumpRequest(family, STATES, address),
                SockDiagConnectionTracker::entry);
    }

    /** SOCK_DIAG_BY_FAMILY dump of TCP sockets of {@code family} in {@code states} whose local address is {@code address}. */
    static NetlinkRequest dumpRequest(int family, int states, InetAddress address) {
        NetlinkRequest request = new NetlinkRequest(SOCK_DIAG_BY_FAMILY, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructInetDiagReqV2(family, IPPROTO_TCP, 0, states, StructInetDiagSockId.any()).pack(request.buffer());
        StructNlAttr.putBytes(request.buffer(), INET_DIAG_REQ_BYTECODE, InetDiagBytecode.localAddressIs(address));
        return request;
    }

    static SocketEntry entry(NetlinkMessage message) {
        if (message.type() != SOCK_DIAG_BY_FAMILY) {
            return null;
        }
        StructInetDiagMsg socket = StructInetDiagMsg.parse(message.body());
        return new SocketEntry(SocketEntry.Protocol.TCP, socket.id().local(socket.family()),
                socket.id().remote(socket.family()), TcpState.ofKernel(socket.state()), socket.inode());
    }

    /** On the reader thread: a destroyed socket's local address; recount if someone watches it. */
    private void onDestroyed(InetAddress local) {
        if (watches.containsKey(local) && recountPending.add(local)) {
            submit(() -> recount(local));
        }
    }

    private void recountAll() {
        for (InetAddress address : watches.keySet()) {
            recount(address);
        }
    }

    /** On the tracker thread. The pending mark is cleared first so an event arriving during the dump counts again. */
    private void recount(InetAddress address) {
        recountPending.remove(address);
        Set<WatchImpl> watchers = watches.get(address);
        if (watchers == null || watchers.isEmpty()) {
            return;
        }
        int count;
        try {
            count = countConnections(address);
        } catch (RuntimeException e) {
            log.warn("re-counting connections on {} in {} failed (trying again in {} s): {}", IpText.of(address),
                    netns.describe(), safetyInterval.toSeconds(), e.getMessage());
            return;
        }
        for (WatchImpl watch : watchers) {
            watch.deliver(count);
        }
    }

    private void submit(Runnable task) {
        try {
            tracker.execute(task);
        } catch (RejectedExecutionException e) {
            // closing: nothing left to tell
        }
    }

    private void removeWatch(WatchImpl watch) {
        synchronized (lifecycle) {
            Set<WatchImpl> set = watches.get(watch.address);
            if (set != null) {
                set.remove(watch);
                if (set.isEmpty()) {
                    watches.remove(watch.address, set);
                }
            }
            if (watches.isEmpty()) {
                stopEventsLocked();
            }
        }
    }

    private void stopEventsLocked() {
        if (safetyTimer != null) {
            safetyTimer.cancel(false);
            safetyTimer = null;
        }
        if (reader != null) {
            reader.stop();
            reader = null;
        }
    }

    private final class WatchImpl implements Watch {
        private final InetAddress address;
        private final IntConsumer onCount;
        private volatile boolean closed;
        private int lastCount = -1; // touched on the tracker thread only

        WatchImpl(InetAddress address, IntConsumer onCount) {
            this.address = address;
            this.onCount = onCount;
        }

        void deliver(int count) {
            if (closed || count == lastCount) {
                return;
            }
            lastCount = count;
            try {
                onCount.accept(count);
            } catch (RuntimeException e) {
                log.warn("connection count listener for {} failed", IpText.of(address), e);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                removeWatch(this);
            }
        }
    }

    /**
     * The destroy-event socket and its reader thread, alive while any watch is open. The thread blocks in
     * poll(2) on the socket and an eventfd that {@link #stop} signals.
     */
    private final class EventReader {
        private final NetlinkSocket events;
        private final EventFd wakeup;
        private final Thread thread;
        private volatile boolean running = true;

        EventReader() {
            events = netns.openSocket(NETLINK_SOCK_DIAG);
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
            thread = new Thread(this::run, "renumber-tracker-events-" + (netns.name() == null ? "self" : netns.name()));
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
                        submit(SockDiagConnectionTracker.this::recountAll);
                    }
                }
            } catch (RuntimeException e) {
                log.warn("sock_diag event reader in {} stopped; the {} s safety timer keeps counts current",
                        netns.describe(), safetyInterval.toSeconds(), e);
            } finally {
                events.close();
                wakeup.close();
            }
        }

        private void onEvent(NetlinkMessage message) {
            if (message.type() != SOCK_DIAG_BY_FAMILY) {
                return;
            }
            StructInetDiagMsg socket = StructInetDiagMsg.parse(message.body());
            onDestroyed(socket.id().sourceAddress(socket.family()));
        }
    }
}
