package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.rmi.NoSuchObjectException;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.remote.rmi.RMIConnection;
import javax.management.remote.rmi.RMIConnectionImpl;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.security.auth.Subject;

/**
 * The JDK's RMI connector server, with each client connection wrapped by {@link RemoteListeners#track} so the
 * agent knows which MBeans remote clients listen to. The connection is the JDK's own; only its exported face is
 * the wrapper, exported on the same port with the same socket factory.
 */
final class TrackedRmiServer extends RMIJRMPServerImpl {

    private final int port;
    private final RMIServerSocketFactory sockets;
    private final Map<String, ?> environment;
    private final RemoteListeners listeners;
    /** The JDK's connection to the wrapper the client holds: the connection reports its close with itself. */
    private final Map<RMIConnection, RMIConnection> exported = new ConcurrentHashMap<>();

    TrackedRmiServer(int port, RMIServerSocketFactory sockets, Map<String, ?> environment,
                     RemoteListeners listeners) throws IOException {
        super(port, null, sockets, environment);
        this.port = port;
        this.sockets = sockets;
        this.environment = requireNonNull(environment, "environment");
        this.listeners = requireNonNull(listeners, "listeners");
    }

    @Override
    protected RMIConnection makeClient(String connectionId, Subject subject) throws IOException {
        requireNonNull(connectionId, "connectionId");
        RMIConnection connection = new RMIConnectionImpl(this, connectionId, getDefaultClassLoader(), subject,
                environment);
        RMIConnection tracked = listeners.track(connectionId, connection);
        UnicastRemoteObject.exportObject(tracked, port, null, sockets);
        exported.put(connection, tracked);
        return tracked;
    }

    @Override
    protected void clientClosed(RMIConnection client) throws IOException {
        // The JDK's connection calls this with itself; the server's client list holds the wrapper.
        RMIConnection tracked = exported.remove(client);
        super.clientClosed(tracked != null ? tracked : client);
    }

    @Override
    protected void closeClient(RMIConnection client) throws IOException {
        listeners.closed(client.getConnectionId());
        exported.values().remove(client);
        try {
            UnicastRemoteObject.unexportObject(client, true);
        } catch (NoSuchObjectException e) {
            // unexported already
        }
    }
}
