package org.renumber.domain.port;

import java.net.InetAddress;
import java.util.List;
import java.util.function.IntConsumer;
import org.renumber.domain.SocketEntry;

/** Finds and follows the sockets bound to a local address in the managed namespace. */
public interface ConnectionTracker {

    /** TCP sockets whose local address is {@code address} (IPv4-mapped IPv6 sockets included), excluding TIME_WAIT. */
    List<SocketEntry> sockets(InetAddress address);

    /** Number of live connections on {@code address} (see {@link SocketEntry#isLiveConnection()}). */
    default int countConnections(InetAddress address) {
        return (int) sockets(address).stream().filter(SocketEntry::isLiveConnection).count();
    }

    /**
     * Follows the live-connection count on {@code address}: {@code onCount} gets the current count at once
     * and a new count whenever it changes, from a tracker thread. Close the watch to stop.
     */
    Watch watch(InetAddress address, IntConsumer onCount);

    interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
