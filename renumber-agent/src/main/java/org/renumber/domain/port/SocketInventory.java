package org.renumber.domain.port;

import java.net.InetAddress;
import java.util.List;
import org.renumber.domain.SocketEntry;

/**
 * The sockets on a local address that are not connections but die silently with the address: TCP listeners
 * (no new connection can reach them once the address is gone) and UDP sockets (they stay bound to an address
 * that no longer exists, and neither send nor receive). Reported next to the connection count so an operator
 * sees what a renumbering leaves behind. The connections themselves are {@link ConnectionTracker}'s.
 */
public interface SocketInventory {

    /** UDP sockets whose local address is {@code address} (IPv4-mapped IPv6 sockets of an IPv4 address included). */
    List<SocketEntry> udpSockets(InetAddress address);

    /** TCP sockets listening on {@code address} (not on the wildcard address). */
    List<SocketEntry> tcpListeners(InetAddress address);
}
