package org.renumber.linux.sockdiag;

import static org.renumber.linux.netlink.NetlinkConstants.IPPROTO_TCP;
import static org.renumber.linux.netlink.NetlinkConstants.IPPROTO_UDP;

import java.net.InetAddress;
import java.util.List;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.port.SocketInventory;
import org.renumber.linux.LinuxNetns;

/**
 * {@link SocketInventory} over sock_diag: dumps filtered on the local address, UDP (every state: unconnected
 * sockets are CLOSE, connected ones ESTABLISHED) and TCP in LISTEN only, so the kernel copies nothing else.
 */
public final class SockDiagSocketInventory implements SocketInventory, AutoCloseable {

    private final SockDiagSockets sockets;

    /** Opens a sock_diag socket in {@code netns}; close this inventory to close it. */
    public SockDiagSocketInventory(LinuxNetns netns) {
        this.sockets = new SockDiagSockets(netns);
    }

    @Override
    public List<SocketEntry> udpSockets(InetAddress address) {
        return sockets.find(IPPROTO_UDP, SockDiagRequests.ALL_STATES, address).stream()
                .map(socket -> SockDiagSockets.entry(IPPROTO_UDP, socket)).toList();
    }

    @Override
    public List<SocketEntry> tcpListeners(InetAddress address) {
        return sockets.find(IPPROTO_TCP, SockDiagRequests.TCP_LISTEN_STATES, address).stream()
                .map(socket -> SockDiagSockets.entry(IPPROTO_TCP, socket)).toList();
    }

    @Override
    public void close() {
        sockets.close();
    }

    @Override
    public String toString() {
        return "sock_diag socket inventory in " + sockets.netns().describe();
    }
}
