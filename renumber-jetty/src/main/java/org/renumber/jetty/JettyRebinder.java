package org.renumber.jetty;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.Graceful;
import org.renumber.client.MakeBeforeBreak;

/**
 * Moves an embedded Jetty 12 {@link Server} off an address that is being replaced, without failing a request.
 *
 * <ol>
 * <li>On {@link #started}: for every {@link ServerConnector} bound to the old address, a new connector on the new
 *     address and the same port is added and started first (make before break), unless {@link #warning} opened
 *     it already. After {@code breakDelay} (none by
 *     default; see {@link #JettyRebinder(Server, ConnectorFactory, Duration, Duration)}) the old connector is shut
 *     down with Jetty's {@link Graceful} mechanism and its listening socket closed: requests in flight complete;
 *     each HTTP/1.1 response on an old connection carries {@code Connection: close}, HTTP/2 sessions get a GOAWAY,
 *     so clients open their next connection, which follows the name to the new address; idle old connections are
 *     closed after {@code idleGrace}. Once its last connection has ended (or at the change's deadline at the
 *     latest) the old connector is stopped and removed from the server.</li>
 * <li>A connector bound to the wildcard address (no host, {@code 0.0.0.0}, {@code ::}) or to another address is
 *     left alone: it already accepts on the new address.</li>
 * <li>On {@link #cancelled} or {@link #failed} the agent removes the new address again: the same steps run in the
 *     other direction.</li>
 * <li>On {@link #completed} or {@link #timedOut} the old address is gone: connectors still draining are stopped.</li>
 * </ol>
 *
 * <pre>{@code
 * Server server = new Server();
 * ServerConnector http = new ServerConnector(server, new HttpConnectionFactory(config));
 * http.setHost("10.0.0.5");
 * http.setPort(8080);
 * server.addConnector(http);
 * server.start();
 * client.subscribe("web", "", "", new JettyRebinder(server));
 * }</pre>
 *
 * The new connector gets connection factories of its own (see {@link ConnectorFactory}): an HTTP/2 factory keeps
 * its sessions, and shutting down the old connector's sessions must not touch the new connector's.
 */
public final class JettyRebinder extends MakeBeforeBreak<ServerConnector> {

    /** Jetty's own default for the idle time of a connection on a connector that is shutting down. */
    public static final Duration DEFAULT_IDLE_GRACE = Duration.ofSeconds(1);

    private static final System.Logger log = System.getLogger(JettyRebinder.class.getName());

    /** Makes the connector that replaces {@code old} on {@code address}, same port; not yet added nor started. */
    @FunctionalInterface
    public interface ConnectorFactory {
        ServerConnector create(Server server, ServerConnector old, InetSocketAddress address);
    }

    private final Server server;
    private final ConnectorFactory connectorFactory;
    private final Duration idleGrace;
    private final Duration breakDelay;
    /** Old connectors not yet stopped: waiting for the break delay, or shutting down. */
    private final Set<ServerConnector> draining = ConcurrentHashMap.newKeySet();

    /**
     * Copies each old connector ({@link #copying()}); idle old connections get {@link #DEFAULT_IDLE_GRACE}; the old
     * connector starts draining as soon as the new one is open.
     */
    public JettyRebinder(Server server) {
        this(server, copying(), DEFAULT_IDLE_GRACE, Duration.ZERO);
    }

    /**
     * @param idleGrace  how long an idle connection on a draining connector is kept before it is closed
     * @param breakDelay how long both connectors accept before the old one starts draining: while a name's DNS
     *                   answer still holds the old address (until an operator's hook has switched it once the
     *                   service listens on the new one), a client that resolved it just before is still served
     */
    public JettyRebinder(Server server, ConnectorFactory connectorFactory, Duration idleGrace, Duration breakDelay) {
        this.server = requireNonNull(server, "server");
        this.connectorFactory = requireNonNull(connectorFactory, "connectorFactory");
        if (idleGrace.isNegative() || idleGrace.isZero()) {
            throw new IllegalArgumentException("idle grace must be positive: " + idleGrace);
        }
        if (breakDelay.isNegative()) {
            throw new IllegalArgumentException("break delay must not be negative: " + breakDelay);
        }
        this.idleGrace = idleGrace;
        this.breakDelay = breakDelay;
    }

    /** The old connectors not yet stopped: waiting for the break delay, or shutting down. */
    public List<ServerConnector> draining() {
        return List.copyOf(draining);
    }

    @Override
    protected List<ServerConnector> boundTo(InetAddress address) {
        List<ServerConnector> bound = new ArrayList<>();
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector sc && !draining.contains(sc) && !openedEarly(sc)
                    && address.equals(boundAddress(sc))) {
                bound.add(sc);
            }
        }
        return bound;
    }

    @Override
    protected void discard(ServerConnector early) {
        try {
            early.stop();
        } catch (Exception e) {
            log.log(Level.DEBUG, "closing a connector opened early: {0}", e.toString());
        }
        server.removeConnector(early);
    }

    @Override
    protected int port(ServerConnector connector) {
        return connector.getLocalPort();
    }

    @Override
    protected InetAddress addressOf(ServerConnector connector) {
        return boundAddress(connector);
    }

    @Override
    protected void handOver(ServerConnector old, ServerConnector fresh, Instant deadline) {
        log.log(Level.INFO, "Jetty connector open on {0}; draining the one on {1} in {2} ms",
                fresh.getHost() + ":" + fresh.getLocalPort(), old.getHost() + ":" + old.getLocalPort(),
                breakDelay.toMillis());
        if (breakDelay.isZero()) {
            drain(old, deadline);
        } else {
            draining.add(old);
            CompletableFuture.runAsync(() -> drain(old, deadline),
                    CompletableFuture.delayedExecutor(breakDelay.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    /** Adds and starts the connector that replaces {@code old} on {@code address}; the old one keeps serving. */
    @Override
    protected ServerConnector open(ServerConnector old, InetSocketAddress address) {
        ServerConnector fresh = connectorFactory.create(server, old, address);
        try {
            server.addConnector(fresh);
            if (!fresh.isStarted()) {
                fresh.start();
            }
            return fresh;
        } catch (Exception e) {
            server.removeConnector(fresh);
            throw new IllegalStateException("could not open a connector on " + address + "; " + old
                    + " keeps serving: " + e.getMessage(), e);
        }
    }

    private void drain(ServerConnector old, Instant deadline) {
        draining.add(old);
        old.setShutdownIdleTimeout(idleGrace.toMillis());
        // The connector (no more accepts, Connection: close on HTTP/1.1 responses, shorter idle timeout) and its
        // beans (an HTTP/2 factory's session container sends GOAWAY on every session).
        CompletableFuture<Void> done = CompletableFuture.allOf(old.shutdown(), Graceful.shutdown(old));
        // Shut down first: the acceptors have left accept(), so closing the socket is no accept failure.
        old.close();
        if (deadline != null) {
            long millis = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
            done = done.completeOnTimeout(null, millis, TimeUnit.MILLISECONDS);
        }
        done.whenComplete((ok, e) -> stop(old));
    }

    @Override
    protected void stopDraining() {
        List.copyOf(draining).forEach(this::stop);
    }

    private void stop(ServerConnector old) {
        if (!draining.remove(old)) {
            return; // stopped already: drained, and then the change completed
        }
        try {
            old.stop();
        } catch (Exception e) {
            log.log(Level.DEBUG, "stopping a drained connector: {0}", e.toString());
        }
        server.removeConnector(old);
        log.log(Level.INFO, "Jetty connector {0} drained and removed", old);
    }

    /** The address a connector listens on; null when it is not open or listens on the wildcard address. */
    static InetAddress boundAddress(ServerConnector connector) {
        if (!connector.isOpen() || !(connector.getTransport() instanceof ServerSocketChannel channel)) {
            return null;
        }
        try {
            InetAddress address = ((InetSocketAddress) channel.getLocalAddress()).getAddress();
            return address.isAnyLocalAddress() ? null : address;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A factory that copies the old connector: acceptor and selector counts, idle timeout, accept queue, socket
     * options (executor, scheduler and buffer pool are the server's), and a new instance of each connection factory
     * made from an {@link HttpConfiguration} (HTTP/1.1, h2c, h2, ...), sharing the configuration (an HTTP/2
     * factory's own settings, such as its stream limits, take their defaults). A factory of another kind is shared
     * with the old connector.
     */
    public static ConnectorFactory copying() {
        return (server, old, address) -> {
            ConnectionFactory[] factories = old.getConnectionFactories().stream().map(JettyRebinder::copy)
                    .toArray(ConnectionFactory[]::new);
            // The server's executor, scheduler and buffer pool (null): passed explicitly they would become beans
            // the connector manages, and stopping a drained connector would stop them for the whole server.
            ServerConnector fresh = new ServerConnector(server, null, null, null, old.getAcceptors(),
                    old.getSelectorManager().getSelectorCount(), factories);
            fresh.setHost(address.getAddress().getHostAddress());
            fresh.setPort(address.getPort());
            fresh.setName(old.getName());
            fresh.setIdleTimeout(old.getIdleTimeout());
            fresh.setAcceptQueueSize(old.getAcceptQueueSize());
            // Moving back after a cancel binds a port whose old connections may linger in TIME_WAIT.
            fresh.setReuseAddress(true);
            fresh.setAcceptedTcpNoDelay(old.getAcceptedTcpNoDelay());
            fresh.setDefaultProtocol(old.getDefaultProtocol());
            return fresh;
        };
    }

    private static ConnectionFactory copy(ConnectionFactory factory) {
        HttpConfiguration config = httpConfiguration(factory);
        if (config != null) {
            try {
                return factory.getClass().getConstructor(HttpConfiguration.class).newInstance(config);
            } catch (NoSuchMethodException | InstantiationException | IllegalAccessException
                     | InvocationTargetException e) {
                log.log(Level.DEBUG, "{0} cannot be copied; shared: {1}", factory, e.toString());
            }
        }
        return factory;
    }

    /**
     * The configuration a factory was made with. HTTP/1.1 declares it ({@link HttpConfiguration.ConnectionFactory});
     * Jetty 12's HTTP/2 factories only have the getter, and they must be copied too: a shared one would carry the
     * old connector's graceful shutdown into the new connector's sessions (each would get a GOAWAY).
     */
    private static HttpConfiguration httpConfiguration(ConnectionFactory factory) {
        if (factory instanceof HttpConfiguration.ConnectionFactory configured) {
            return configured.getHttpConfiguration();
        }
        try {
            Object config = factory.getClass().getMethod("getHttpConfiguration").invoke(factory);
            return config instanceof HttpConfiguration c ? c : null;
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            return null;
        }
    }
}
