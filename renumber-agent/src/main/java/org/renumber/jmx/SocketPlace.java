package org.renumber.jmx;

import java.io.IOException;
import java.net.ServerSocket;

/**
 * Where the JMX connector's listening sockets are made. A socket belongs to the network namespace of the thread
 * that created it, for good; so a connector for applications inside a managed namespace creates its sockets on a
 * thread in that namespace and accepts on them from anywhere.
 */
@FunctionalInterface
public interface SocketPlace {

    /** The agent's own namespace. */
    SocketPlace HERE = SocketFactory::open;

    /** Runs {@code factory} where the sockets belong and returns the socket it made. */
    ServerSocket open(SocketFactory factory) throws IOException;

    /** Makes one listening socket. */
    @FunctionalInterface
    interface SocketFactory {
        ServerSocket open() throws IOException;
    }
}
