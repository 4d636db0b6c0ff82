package org.renumber.domain;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One socket from the kernel's socket table.
 *
 * @param protocol TCP or UDP
 * @param local    local address and port
 * @param remote   remote address and port (wildcard for listeners)
 * @param state    kernel TCP state name, e.g. ESTABLISHED, LISTEN, FIN_WAIT2
 * @param inode    socket inode; 0 means no process owns it any more (orphaned after close())
 */
public record SocketEntry(Protocol protocol, InetSocketAddress local, InetSocketAddress remote, TcpState state, long inode) {

    public enum Protocol { TCP, UDP }

    public SocketEntry {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(state, "state");
    }

    public boolean isListener() {
        return protocol == Protocol.TCP && state == TcpState.LISTEN;
    }

    /**
     * A connection that still holds the address: a process owns it in a connection state, or its process closed
     * it and the peer has not acknowledged the FIN yet (FIN_WAIT1, CLOSING, LAST_ACK): removing the address then
     * would cut off data the application already wrote. A closed socket in FIN_WAIT2 or TIME_WAIT owes the peer
     * nothing and no longer counts; nor does a listener ({@link TcpState#holdsAddress}).
     */
    public boolean isLiveConnection() {
        return protocol == Protocol.TCP && state.holdsAddress(inode != 0);
    }

    /** One readable line: {@code tcp 10.9.0.1:5000 -> 10.9.0.2:40112 ESTABLISHED}. */
    public String describe() {
        return protocol.name().toLowerCase() + " " + format(local) + " -> " + format(remote) + " " + state
                + (inode == 0 ? " (orphaned)" : "");
    }

    private static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
