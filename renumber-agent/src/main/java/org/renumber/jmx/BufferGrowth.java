package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.rmi.MarshalledObject;
import java.rmi.Remote;
import java.util.Map;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.ObjectName;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnection;
import javax.management.remote.rmi.RMIConnectionImpl;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIServer;
import javax.management.remote.rmi.RMIServerImpl;
import javax.security.auth.Subject;

/**
 * Grows a running connector's notification buffer. The JDK fixes the buffer's size when the connector's first
 * client connects and offers no way to change it; but every connector server on the same MBean server (the same
 * forwarder object) shares one buffer, and the buffer is as large as the largest size any of them asked for. So
 * growing means adding a sharer that asks for more: a connector server that is never exported (no socket, no stub
 * anyone can reach) whose one in-process client listens once, which makes the JDK size the buffer for it. The previous sharer is
 * then stopped; the buffer never shrinks while the larger one lives. Notifications already buffered are kept
 * (the JDK copies them into the larger buffer), so no client misses anything while it grows.
 */
final class BufferGrowth implements AutoCloseable {

    private final MBeanServer server;
    private int size;
    private RMIConnectorServer sharer;

    /** The buffer of the connectors on {@code server} (a connector's own MBean server, forwarders included). */
    BufferGrowth(MBeanServer server, int size) {
        this.server = requireNonNull(server, "server");
        this.size = size;
    }

    /** The size the buffer has at least now. */
    synchronized int size() {
        return size;
    }

    /** Makes the buffer hold at least {@code wanted} notifications; a smaller size changes nothing. */
    synchronized void growTo(int wanted) throws IOException {
        if (wanted <= size) {
            return;
        }
        Sharer impl = new Sharer(Map.of(JmxRemoteServer.BUFFER_SIZE, wanted));
        RMIConnectorServer larger = new RMIConnectorServer(new JMXServiceURL("rmi", null, 0), Map.of(), impl,
                server);
        larger.start();
        try (RMIConnection client = impl.newClient(null)) {
            // The JDK takes the connection's share of the buffer at its first listener, sized as the connector
            // server's environment says; the share lives as long as the connector server, not the connection.
            client.addNotificationListeners(new ObjectName[] {MBeanServerDelegate.DELEGATE_NAME},
                    new MarshalledObject<?>[1], new Subject[1]);
        } catch (InstanceNotFoundException e) {
            larger.stop();
            throw new IllegalStateException("the MBean server has no delegate", e);
        } catch (IOException | RuntimeException e) {
            larger.stop();
            throw e;
        }
        RMIConnectorServer previous = sharer;
        sharer = larger;
        size = wanted;
        if (previous != null) {
            previous.stop();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (sharer != null) {
            sharer.stop();
            sharer = null;
        }
    }

    /** A connector server that nobody outside this JVM can reach: nothing is exported, the stub is a placeholder. */
    private static final class Sharer extends RMIServerImpl {
        private final Map<String, ?> environment;

        Sharer(Map<String, ?> environment) {
            super(environment);
            this.environment = environment;
        }

        @Override
        protected void export() {
            // never exported: its one client is made in-process
        }

        @Override
        public Remote toStub() {
            return new Unreachable();
        }

        @Override
        protected String getProtocol() {
            return "rmi";
        }

        @Override
        protected RMIConnection makeClient(String connectionId, Subject subject) throws IOException {
            return new RMIConnectionImpl(this, connectionId, getDefaultClassLoader(), subject, environment);
        }

        @Override
        protected void closeClient(RMIConnection client) {
            // nothing exported, nothing to unexport
        }

        @Override
        protected void closeServer() {
            // nothing exported
        }
    }

    /** What the connector server puts in its address in place of a stub: it connects nowhere. */
    private record Unreachable() implements RMIServer, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public String getVersion() {
            return "renumber buffer sharer";
        }

        @Override
        public RMIConnection newClient(Object credentials) throws IOException {
            throw new IOException("this connector server only sizes the notification buffer");
        }
    }
}
