package org.renumber.linux.sockdiag;

import static org.renumber.linux.netlink.NetlinkConstants.IPPROTO_TCP;
import static org.renumber.linux.netlink.NetlinkConstants.IPPROTO_UDP;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Set;
import org.renumber.domain.port.SocketKiller;
import org.renumber.linux.IpText;
import org.renumber.linux.LinuxNetns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SocketKiller} over sock_diag, as {@code ss -K} does it: a dump filtered on the local address finds the
 * sockets, then one SOCK_DESTROY request per socket names it by its full id, cookie included, so a socket that
 * closed and was replaced in between is never hit by mistake. Needs CAP_NET_ADMIN in the namespace and a kernel
 * with CONFIG_INET_DIAG_DESTROY (and udp_diag for UDP).
 *
 * <p>Listeners go first (so they stop handing out new connections), then connections, then UDP sockets.
 */
public final class SockDiagSocketKiller implements SocketKiller, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SockDiagSocketKiller.class);

    private final SockDiagSockets sockets;

    /** Opens a sock_diag socket in {@code netns}; close this killer to close it. */
    public SockDiagSocketKiller(LinuxNetns netns) {
        this.sockets = new SockDiagSockets(netns);
    }

    @Override
    public ClosedSockets destroy(InetAddress address, Set<SocketKind> kinds) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(kinds, "kinds");
        int listeners = 0;
        int connections = 0;
        int orphaned = 0;
        int udp = 0;
        if (kinds.contains(SocketKind.TCP_LISTENERS)) {
            for (StructInetDiagMsg socket : sockets.find(IPPROTO_TCP, SockDiagRequests.TCP_LISTEN_STATES, address)) {
                listeners += destroyed(IPPROTO_TCP, socket);
            }
        }
        if (kinds.contains(SocketKind.TCP_CONNECTIONS)) {
            for (StructInetDiagMsg socket : sockets.find(IPPROTO_TCP, SockDiagRequests.TCP_CONNECTION_STATES, address)) {
                if (socket.inode() == 0) {
                    orphaned += destroyed(IPPROTO_TCP, socket);
                } else {
                    connections += destroyed(IPPROTO_TCP, socket);
                }
            }
        }
        if (kinds.contains(SocketKind.UDP)) {
            for (StructInetDiagMsg socket : sockets.find(IPPROTO_UDP, SockDiagRequests.ALL_STATES, address)) {
                udp += destroyed(IPPROTO_UDP, socket);
            }
        }
        ClosedSockets closed = new ClosedSockets(connections, orphaned, listeners, udp);
        log.info("destroyed {} on {} in {}", closed.describe(), IpText.of(address), sockets.netns().describe());
        return closed;
    }

    @Override
    public void close() {
        sockets.close();
    }

    @Override
    public String toString() {
        return "sock_diag socket killer in " + sockets.netns().describe();
    }

    private int destroyed(int protocol, StructInetDiagMsg socket) {
        if (sockets.destroy(protocol, socket)) {
            return 1;
        }
        log.debug("{} was gone before it could be destroyed", SockDiagSockets.entry(protocol, socket).describe());
        return 0;
    }
}
