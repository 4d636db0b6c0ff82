package org.renumber.linux.sockdiag;

import static org.renumber.linux.netlink.NetlinkConstants.IPPROTO_TCP;
import static org.renumber.linux.netlink.NetlinkConstants.IPPROTO_UDP;
import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_SOCK_DIAG;
import static org.renumber.linux.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.renumber.domain.NetworkException;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.linux.Errno;
import org.renumber.linux.IpText;
import org.renumber.linux.LibC;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.netlink.NetlinkSocket;

/**
 * One NETLINK_SOCK_DIAG socket in a namespace, for finding the TCP or UDP sockets on a local address and
 * destroying them one by one. Shared by {@link SockDiagSocketKiller} and {@link SockDiagSocketInventory}.
 */
final class SockDiagSockets implements AutoCloseable {

    private final LinuxNetns netns;
    private final NetlinkSocket socket;

    SockDiagSockets(LinuxNetns netns) {
        this.netns = Objects.requireNonNull(netns, "netns");
        this.socket = NetlinkSocket.openIn(netns, NETLINK_SOCK_DIAG);
    }

    LinuxNetns netns() {
        return netns;
    }

    /**
     * The {@code protocol} sockets in {@code states} whose local address is {@code address}: for an IPv4
     * address the AF_INET sockets and the IPv4-mapped AF_INET6 ones, for an IPv6 address the AF_INET6 ones.
     */
    List<StructInetDiagMsg> find(int protocol, int states, InetAddress address) {
        Objects.requireNonNull(address, "address");
        List<StructInetDiagMsg> found = new ArrayList<>();
        if (address instanceof Inet4Address) {
            found.addAll(dump(LibC.AF_INET, protocol, states, address));
        }
        found.addAll(dump(LibC.AF_INET6, protocol, states, address));
        return found;
    }

    /**
     * Destroys one socket {@link #find} reported. Returns false when it no longer exists (closed meanwhile:
     * ENOENT), which is what the caller wanted anyway.
     *
     * @throws NetworkException when the kernel cannot destroy sockets at all, or refused this one
     */
    boolean destroy(int protocol, StructInetDiagMsg target) {
        String operation = "destroy " + entry(protocol, target).describe() + " in " + netns.describe();
        try {
            return socket.requestUnlessDone(operation, SockDiagRequests.destroy(protocol, target), Errno.ENOENT);
        } catch (NetworkException e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                throw new NetworkException(operation + " failed: the kernel cannot destroy sockets (EOPNOTSUPP: it "
                        + "was built without CONFIG_INET_DIAG_DESTROY" + (protocol == IPPROTO_UDP
                        ? ", or the udp_diag module is missing" : "") + ")", e.errno());
            }
            throw e;
        }
    }

    static SocketEntry entry(int protocol, StructInetDiagMsg socket) {
        return new SocketEntry(protocol == IPPROTO_UDP ? SocketEntry.Protocol.UDP : SocketEntry.Protocol.TCP,
                socket.id().local(socket.family()), socket.id().remote(socket.family()),
                TcpState.ofKernel(socket.state()), socket.inode());
    }

    @Override
    public void close() {
        socket.close();
    }

    private List<StructInetDiagMsg> dump(int family, int protocol, int states, InetAddress address) {
        String operation = "list " + (family == LibC.AF_INET ? "IPv4 " : "IPv6 ") + name(protocol) + " sockets on "
                + IpText.of(address) + " in " + netns.describe();
        try {
            return socket.transact(operation, SockDiagRequests.dump(family, protocol, states, address),
                    message -> message.type() == SOCK_DIAG_BY_FAMILY ? StructInetDiagMsg.parse(message.body()) : null);
        } catch (NetworkException e) {
            if (e.errno() == Errno.ENOENT && protocol == IPPROTO_UDP) {
                // inet_diag answers ENOENT when no handler for the protocol is registered (or loadable).
                throw new NetworkException(operation + " failed: the kernel has no UDP socket diagnostics "
                        + "(ENOENT: module udp_diag, CONFIG_INET_UDP_DIAG)", e.errno());
            }
            throw e;
        }
    }

    private static String name(int protocol) {
        return protocol == IPPROTO_TCP ? "TCP" : protocol == IPPROTO_UDP ? "UDP" : "protocol " + protocol;
    }
}
