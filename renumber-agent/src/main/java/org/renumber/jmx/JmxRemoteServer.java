package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.rmi.AlreadyBoundException;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RemoteServer;
import java.rmi.server.ServerNotActiveException;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.management.remote.rmi.RMIJRMPServerImpl;
import javax.security.auth.Subject;
import org.renumber.domain.Subscription;
import org.renumber.security.Credentials;
import org.renumber.security.LoginBackoff;
import org.renumber.service.SubscriberRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JMX RMI connector ({@code service:jmx:rmi:///jndi/rmi://HOST:PORT/jmxrmi}) that JConsole, jmxterm and the
 * client library connect to. The RMI registry and the connector share one port, and both listen on
 * {@code host} only (loopback by default). Every connection must log in with the agent's {@link Credentials};
 * anonymous connections are refused, and before login the server deserializes nothing but the user name and
 * password strings. The registry is read-only for other processes, so no local user can swap the connector
 * for one that collects passwords. Logged-in clients are held to {@link RemoteAccessPolicy}.
 */
public final class JmxRemoteServer implements AutoCloseable {

    /** Port of the registry and the connector unless configured otherwise. */
    public static final int DEFAULT_PORT = 9875;
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The connector's notification buffer holds at least this many notifications (the JDK's default is 1000). */
    public static final int MIN_BUFFER = 16_384;
    static final int MAX_BUFFER = 262_144;
    /** The environment key of the notification buffer's size, read when the first client connects. */
    static final String BUFFER_SIZE = "jmx.remote.x.notification.buffer.size";

    private static final String BINDING = "jmxrmi";
    private static final String RMI_HOSTNAME = "java.rmi.server.hostname";
    private static final String REGISTRY_FILTER = "sun.rmi.registry.registryFilter";
    // Only these types may be deserialized from a client before it has authenticated.
    private static final String CREDENTIAL_TYPES = "jmx.remote.rmi.server.credential.types";
    private static final Logger log = LoggerFactory.getLogger(JmxRemoteServer.class);

    private final Registry registry;
    private final JMXConnectorServer connector;
    private final JMXServiceURL url;
    private final int port;
    private final String where;
    private final BufferGrowth buffer;
    private volatile boolean closed;

    private JmxRemoteServer(Registry registry, JMXConnectorServer connector, JMXServiceURL url, int port,
                            String where, int bufferSize) {
        this.registry = registry;
        this.connector = connector;
        this.url = url;
        this.port = port;
        this.where = where;
        // The connector's own MBean server (its forwarders included) is what the JDK keys the buffer on.
        this.buffer = new BufferGrowth(connector.getMBeanServer(), bufferSize);
    }

    /**
     * Starts the connector for {@code server} on {@code host}:{@code port}; port 0 picks a free port (tests).
     *
     * @throws IOException if the port is taken or the connector cannot start
     */
    public static JmxRemoteServer start(MBeanServer server, String host, int port, Credentials credentials)
            throws IOException {
        return start(server, host, port, credentials, 0, SocketPlace.HERE, "");
    }

    /**
     * The size of the connector's notification buffer for {@code subscriptions} subscriptions: room for a change's
     * four events (warning, started, drained, completed) at every one of them, at least {@link #MIN_BUFFER}, at
     * most {@link #MAX_BUFFER}. The buffer holds only notifications someone listens to ({@link RemoteListeners}),
     * so this is room to spare; a client that still falls behind catches up by sequence number.
     */
    public static int notificationBufferSize(int subscriptions) {
        return (int) Math.min(MAX_BUFFER, Math.max(MIN_BUFFER, 4L * subscriptions + MIN_BUFFER));
    }

    /**
     * Starts the connector with its listening sockets made in {@code place}, e.g. inside another network namespace,
     * where {@code host}:{@code port} is then an address of that namespace.
     *
     * @param bufferSize how many notifications the connector buffers for slow clients, 0 for the system property
     *                   {@code jmx.remote.x.notification.buffer.size} or else {@link #MIN_BUFFER}; see
     *                   {@link #notificationBufferSize}
     * @param where what the logs say of {@code place}, e.g. " in network namespace 'x'"; empty for here
     * @throws IOException if the port is taken or the connector cannot start
     */
    public static JmxRemoteServer start(MBeanServer server, String host, int port, Credentials credentials,
                                        int bufferSize, SocketPlace place, String where) throws IOException {
        return start(server, host, port, credentials, bufferSize, place, where, new LoginBackoff(Clock.systemUTC()));
    }

    /**
     * Starts the connector as above; failed logins count towards {@code backoff} (shared with Jolokia by the
     * agent, so a guesser gains nothing by switching endpoints).
     */
    public static JmxRemoteServer start(MBeanServer server, String host, int port, Credentials credentials,
                                        int bufferSize, SocketPlace place, String where, LoginBackoff backoff)
            throws IOException {
        requireNonNull(server, "server");
        requireNonNull(backoff, "backoff");
        requireNonNull(credentials, "credentials");
        requireNonNull(place, "place");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("JMX port " + port + " is out of range 0-65535");
        }
        if (bufferSize < 0) {
            throw new IllegalArgumentException("notification buffer size " + bufferSize + " is negative");
        }
        InetAddress bind = address(host);
        pinStubHost(bind);
        lockRegistry();
        BoundServerSocketFactory sockets = new BoundServerSocketFactory(bind, place);
        int actualPort = port == 0 ? freePort(bind, place) : port;
        String literal = bind.getHostAddress();
        String hostPart = literal.indexOf(':') >= 0 ? "[" + literal + "]" : literal;

        Registry registry = LocateRegistry.createRegistry(actualPort, null, sockets);
        RMIConnectorServer connector = null;
        try {
            Map<String, Object> environment = new HashMap<>();
            environment.put(JMXConnectorServer.AUTHENTICATOR, authenticator(credentials, backoff));
            environment.put(CREDENTIAL_TYPES, new String[] {String[].class.getName(), String.class.getName()});
            // The JDK reads the system property of the same name when the environment has none: an operator's
            // -Djmx.remote.x.notification.buffer.size=N wins over the default here, not over an explicit size.
            if (bufferSize > 0 || System.getProperty(BUFFER_SIZE) == null) {
                environment.put(BUFFER_SIZE, bufferSize == 0 ? MIN_BUFFER : bufferSize);
            }
            RemoteListeners listeners = new RemoteListeners();
            // The connector object shares the registry's port (same socket factory, so one listener).
            RMIJRMPServerImpl rmiServer = new TrackedRmiServer(actualPort, sockets, environment, listeners);
            connector = new RMIConnectorServer(new JMXServiceURL("rmi", hostPart, actualPort), environment,
                    rmiServer, server);
            connector.setMBeanServerForwarder(RemoteAccessPolicy.forwarder(listeners));
            connector.start();
            // Bound in-process: no serialization, so the locked registry accepts it.
            registry.bind(BINDING, rmiServer.toStub());
            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + hostPart + ":" + actualPort
                    + "/" + BINDING);
            Object size = environment.getOrDefault(BUFFER_SIZE, System.getProperty(BUFFER_SIZE));
            log.info("JMX connector listening at {}{} (login required; notification buffer {})", url, where, size);
            return new JmxRemoteServer(registry, connector, url, actualPort, where, bufferSize(size));
        } catch (IOException | RuntimeException e) {
            abandon(connector, registry);
            throw e;
        } catch (AlreadyBoundException e) {
            abandon(connector, registry);
            throw new IllegalStateException("a new RMI registry already holds " + BINDING, e);
        }
    }

    private static int bufferSize(Object configured) {
        try {
            return Integer.parseInt(String.valueOf(configured).strip());
        } catch (NumberFormatException e) {
            return MIN_BUFFER;
        }
    }

    /**
     * Keeps the notification buffer as large as {@link #notificationBufferSize} says for the subscriptions of
     * {@code subscribers} as they grow, from the next subscription on: the size fixed at the start fits the
     * subscriptions journaled then (the agent sizes it with {@link #notificationBufferSize}), and an
     * agent that gains thousands afterwards must not overflow a buffer sized for a few (issue 14).
     */
    public void follow(SubscriberRegistry subscribers) {
        requireNonNull(subscribers, "subscribers");
        subscribers.addListener(new SubscriberRegistry.Listener() {
            @Override
            public void subscribed(Subscription subscription) {
                fit(subscribers.all().size());
            }

            @Override
            public void unsubscribed(Subscription subscription) {
                // the buffer keeps its size: shrinking could drop notifications a client has not fetched
            }
        });
    }

    /**
     * Grows the buffer to fit {@code subscriptions}, in steps that at least double it: 10,000 subscriptions made
     * one by one grow it a few times, not 10,000 times.
     */
    void fit(int subscriptions) {
        int needed = notificationBufferSize(subscriptions);
        int current = buffer.size();
        if (closed || needed <= current) {
            return;
        }
        int grown = (int) Math.min(MAX_BUFFER, Math.max(needed, 2L * current));
        try {
            buffer.growTo(grown);
            log.info("JMX connector at {}{}: notification buffer grown from {} to {} for {} subscriptions", url, where,
                    current, grown, subscriptions);
        } catch (IOException | RuntimeException e) {
            log.warn("JMX connector at {}{}: could not grow the notification buffer to {} ({}); listeners that fall "
                    + "behind catch up with pendingEvents", url, where, grown, e.toString());
        }
    }

    /** The size of the notification buffer now (at least). */
    int bufferSize() {
        return buffer.size();
    }

    private static void abandon(JMXConnectorServer connector, Registry registry) throws IOException {
        try {
            if (connector != null) {
                connector.stop();
            }
        } finally {
            unexport(registry);
        }
    }

    /** The address clients connect to, {@code service:jmx:rmi:///jndi/rmi://HOST:PORT/jmxrmi}. */
    public JMXServiceURL url() {
        return url;
    }

    /** The port of the registry and the connector (the one picked when 0 was asked for). */
    public int port() {
        return port;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try (buffer) {
            connector.stop();
        } finally {
            unexport(registry);
            log.info("JMX connector at {}{} stopped", url, where);
        }
    }

    private static JMXAuthenticator authenticator(Credentials credentials, LoginBackoff backoff) {
        return offered -> {
            String client = clientHost();
            Duration wait = backoff.waitFor(client);
            if (!wait.isZero()) {
                throw new SecurityException("Too many failed logins from " + client + ": retry in "
                        + Math.max(1, (wait.toMillis() + 999) / 1000) + " s");
            }
            if (!(offered instanceof String[] pair) || pair.length != 2) {
                log.warn("JMX connection from {} refused: no user name and password given", client);
                throw new SecurityException("Authentication required: connect with a user name and password");
            }
            if (!credentials.matches(pair[0], pair[1])) {
                Duration next = backoff.failed(client);
                log.warn("JMX connection from {} refused: wrong user name or password (user '{}'){}", client,
                        printable(pair[0]), next.isZero() ? "" : "; its next login is checked in "
                                + next.toSeconds() + " s");
                throw new SecurityException("Authentication failed: wrong user name or password");
            }
            backoff.succeeded(client);
            return new Subject(true, Set.of(new JMXPrincipal(pair[0])), Set.of(), Set.of());
        };
    }

    // The authenticator runs on the RMI thread serving the client's newClient call, which knows its address.
    private static String clientHost() {
        try {
            return RemoteServer.getClientHost();
        } catch (ServerNotActiveException e) {
            return "(local)";
        }
    }

    private static String printable(String user) {
        String text = user == null ? "" : user.replaceAll("\\p{Cntrl}", "?");
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }

    // RMI stubs carry the host name clients must call back; it defaults to whatever the machine's name resolves
    // to, which need not be the loopback address the sockets listen on. It is read once per JVM, before the
    // first export, so it is set here unless the operator set it.
    private static void pinStubHost(InetAddress bind) {
        String configured = System.getProperty(RMI_HOSTNAME);
        if (bind.isAnyLocalAddress()) {
            return;
        }
        if (configured == null) {
            System.setProperty(RMI_HOSTNAME, bind.getHostAddress());
        } else if (!configured.equals(bind.getHostAddress())) {
            log.warn("{} is set to {}, but the JMX connector listens on {}; clients may fail to connect",
                    RMI_HOSTNAME, configured, bind.getHostAddress());
        }
    }

    // Any local user may call bind, rebind and unbind on an RMI registry listening on loopback. Rebinding
    // "jmxrmi" to a stub of their own would collect the operator's password at the next JConsole login, so
    // this registry deserializes no objects at all: lookups (a string) work, bind and rebind from outside
    // fail. The filter is read once, when the JVM's first registry starts; an operator's own setting wins.
    private static void lockRegistry() {
        if (System.getProperty(REGISTRY_FILTER) == null) {
            System.setProperty(REGISTRY_FILTER, "!*");
        }
    }

    private static InetAddress address(String host) throws UnknownHostException {
        return InetAddress.getByName(host == null || host.isBlank() ? DEFAULT_HOST : host.strip());
    }

    private static int freePort(InetAddress bind, SocketPlace place) throws IOException {
        try (ServerSocket probe = place.open(() -> new ServerSocket(0, 1, bind))) {
            return probe.getLocalPort();
        }
    }

    private static void unexport(Registry registry) {
        try {
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (NoSuchObjectException e) {
            // already gone
        }
    }

    /** Server sockets bound to one address; equal factories let the registry and connector share a port. */
    private record BoundServerSocketFactory(InetAddress bind, SocketPlace place) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return place.open(() -> new ServerSocket(port, 50, bind));
        }
    }
}
