package org.renumber.jdkhttpserver;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.renumber.client.MakeBeforeBreak;

/**
 * Keeps the JDK's HTTP server ({@code com.sun.net.httpserver}) serving while its address is replaced, without
 * failing a request. A JDK server listens on one address for life, so the rebinder makes the servers itself, one
 * per address, each set up by the application's {@link Setup} (contexts, handlers, executor):
 *
 * <pre>{@code
 * JdkHttpServerRebinder servers = JdkHttpServerRebinder.start(server -> {
 *     server.createContext("/", exchange -> { ... });
 *     server.setExecutor(Executors.newFixedThreadPool(8));
 * }, new InetSocketAddress("10.0.0.5", 8080));
 * client.subscribe("web", "", "", servers);
 * }</pre>
 *
 * <ol>
 * <li>On {@link #warning}: when the kernel allows binding an address that does not exist yet
 *     ({@code net.ipv4.ip_nonlocal_bind=1}), a server on the new address, same port, opens already, so it accepts
 *     from the instant the agent adds the address. Otherwise it opens on {@link #started}.</li>
 * <li>On {@link #started}: the new server is open first (make before break). Then the old one drains: its
 *     listening socket closes at once ({@link HttpServer#stop}); requests in flight complete, and each response it
 *     still sends carries {@code Connection: close} (also for a request already in its handler), so the client
 *     opens its next connection, which follows the name to the new address. Once no exchange has been in its
 *     handlers for {@code idleGrace}, its idle connections are closed; at the change's deadline at the latest,
 *     everything left is.</li>
 * <li>A server on the wildcard address ({@code 0.0.0.0}, {@code ::}) or on another address is left alone: it
 *     already accepts on the new address.</li>
 * <li>On {@link #cancelled} or {@link #failed} the agent removes the new address again: the same steps run in the
 *     other direction. On {@link #completed} or {@link #timedOut} servers still draining are stopped.</li>
 * </ol>
 *
 * Only plain HTTP ({@link HttpServer}). On a context with an {@code Authenticator} the hint reaches the requests
 * that begin once the drain has, not those already in their handler (the JDK's authentication filter needs its
 * own exchange object). See docs/architecture.md for the change's steps.
 */
public final class JdkHttpServerRebinder extends MakeBeforeBreak<JdkHttpServerRebinder.Listener>
        implements AutoCloseable {

    /** How long a draining server with no exchange in its handlers keeps its idle connections. */
    public static final Duration DEFAULT_IDLE_GRACE = Duration.ofSeconds(1);

    /** Without a deadline (moving back after a cancel), the longest a draining server waits for its exchanges. */
    private static final int MAX_DRAIN_SECONDS = 3600;

    private static final System.Logger log = System.getLogger(JdkHttpServerRebinder.class.getName());

    /** Sets one new server up: contexts, handlers, filters, executor. The rebinder binds, starts and stops it. */
    @FunctionalInterface
    public interface Setup {
        void configure(HttpServer server) throws IOException;
    }

    /** One JDK server and its drain hint. */
    record Listener(HttpServer server, DrainHint hint) {
        InetSocketAddress address() {
            return server.getAddress();
        }
    }

    private final Setup setup;
    private final Duration idleGrace;
    private final ScheduledExecutorService scheduler;
    /** Serving and accepting, but those opened early for a change. */
    private final List<Listener> serving = new CopyOnWriteArrayList<>();
    /** Old servers whose listener is closed and whose connections are not yet all gone. */
    private final Set<Listener> draining = ConcurrentHashMap.newKeySet();

    private JdkHttpServerRebinder(Setup setup, Duration idleGrace) {
        this.setup = requireNonNull(setup, "setup");
        if (idleGrace.isNegative() || idleGrace.isZero()) {
            throw new IllegalArgumentException("idle grace must be positive: " + idleGrace);
        }
        this.idleGrace = idleGrace;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "renumber-jdk-httpserver-drain");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Opens one server per address (port 0 picks a free port), each set up by {@code setup}, idle grace 1 s. */
    public static JdkHttpServerRebinder start(Setup setup, InetSocketAddress... addresses) throws IOException {
        return start(setup, DEFAULT_IDLE_GRACE, List.of(addresses));
    }

    /**
     * @param idleGrace how long a draining server keeps idle connections once no exchange is in its handlers
     * @throws IOException when an address cannot be bound or the setup fails; the servers opened already close
     */
    public static JdkHttpServerRebinder start(Setup setup, Duration idleGrace, List<InetSocketAddress> addresses)
            throws IOException {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("addresses: give at least one address to listen on");
        }
        JdkHttpServerRebinder rebinder = new JdkHttpServerRebinder(setup, idleGrace);
        try {
            for (InetSocketAddress address : addresses) {
                rebinder.serving.add(rebinder.open(requireNonNull(address, "address")));
            }
        } catch (IOException | RuntimeException e) {
            rebinder.close();
            throw e;
        }
        return rebinder;
    }

    /** The addresses the servers accept on now (with their actual ports), but those opened early for a change. */
    public List<InetSocketAddress> addresses() {
        return serving.stream().map(Listener::address).toList();
    }

    /** The addresses of old servers not yet stopped. */
    public List<InetSocketAddress> draining() {
        return draining.stream().map(Listener::address).toList();
    }

    /** Stops every server now, serving, opened early or draining. */
    @Override
    public void close() {
        discardPreOpened();
        List.copyOf(serving).forEach(l -> {
            serving.remove(l);
            l.server().stop(0);
        });
        List.copyOf(draining).forEach(this::stopNow);
        scheduler.shutdownNow();
    }

    @Override
    protected List<Listener> boundTo(InetAddress address) {
        List<Listener> bound = new ArrayList<>();
        for (Listener listener : serving) {
            InetAddress local = listener.address().getAddress();
            if (!local.isAnyLocalAddress() && local.equals(address)) {
                bound.add(listener);
            }
        }
        return bound;
    }

    @Override
    protected int port(Listener listener) {
        return listener.address().getPort();
    }

    @Override
    protected InetAddress addressOf(Listener listener) {
        InetAddress local = listener.address().getAddress();
        return local.isAnyLocalAddress() ? null : local;
    }

    @Override
    protected Listener open(Listener old, InetSocketAddress address) {
        try {
            return open(address);
        } catch (IOException e) {
            throw new IllegalStateException("could not open an HTTP server on " + address + "; the one on "
                    + old.address() + " keeps serving: " + e.getMessage(), e);
        }
    }

    @Override
    protected void handOver(Listener old, Listener fresh, Instant deadline) {
        serving.add(fresh);
        serving.remove(old);
        log.log(Level.INFO, "HTTP server open on {0}; draining the one on {1}", fresh.address(), old.address());
        drain(old, deadline);
    }

    /** Binds, sets up and starts a server on {@code address}; closed again when the setup fails. */
    private Listener open(InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        DrainHint hint = new DrainHint();
        try {
            setup.configure(new ContextRecorder(server, hint));
            server.start();
        } catch (IOException | RuntimeException e) {
            // A server never started keeps its listening socket after stop(): the socket is closed only when its
            // dispatcher deregisters it. Started without contexts' traffic, it is stopped at once.
            server.start();
            server.stop(0);
            throw e;
        }
        return new Listener(server, hint);
    }

    private void drain(Listener old, Instant deadline) {
        draining.add(old);
        old.hint().startDraining();
        int seconds = deadline == null ? MAX_DRAIN_SECONDS
                : (int) Math.min(MAX_DRAIN_SECONDS, Math.max(1, Duration.between(Instant.now(), deadline).toSeconds()));
        // HttpServer.stop closes the listening socket at once, keeps serving the open connections until no
        // exchange is left after a response, then closes them all; it blocks meanwhile, so on a thread of its own.
        Thread stopper = new Thread(() -> {
            old.server().stop(seconds);
            if (draining.remove(old)) {
                log.log(Level.INFO, "HTTP server on {0} drained and stopped", old.address());
            }
        }, "renumber-jdk-httpserver-stop");
        stopper.setDaemon(true);
        stopper.start();
        // Connections that stay idle would hold the drain up until the deadline: once no exchange has been in a
        // handler for the idle grace, the rest is closed (the JDK server has no per-connection close).
        long[] quietSince = {System.nanoTime()};
        AtomicReference<ScheduledFuture<?>> check = new AtomicReference<>();
        check.set(scheduler.scheduleWithFixedDelay(() -> {
            if (old.hint().inFlight() > 0) {
                quietSince[0] = System.nanoTime();
            } else if (draining.contains(old)
                    && TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quietSince[0]) >= idleGrace.toMillis()) {
                stopNow(old);
            }
            if (!draining.contains(old) && check.get() != null) {
                check.get().cancel(false);
            }
        }, 100, 100, TimeUnit.MILLISECONDS));
    }

    private void stopNow(Listener old) {
        if (draining.remove(old)) {
            old.server().stop(0);
            log.log(Level.INFO, "HTTP server on {0} stopped", old.address());
        }
    }

    @Override
    protected void discard(Listener early) {
        early.server().stop(0);
    }

    @Override
    protected void stopDraining() {
        List.copyOf(draining).forEach(this::stopNow);
    }
}
