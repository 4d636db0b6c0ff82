package org.renumber.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Moves an application's listening sockets from the old address to the new one, then closes its idle
 * connections on the old address gracefully, so that clients reconnect (to the new address) and the drain ends.
 *
 * <ol>
 * <li>On {@link #started}: every listener bound to the old address is opened on the new address, same port and
 *     backlog, and handed to the application's {@code onBound} callback; only then is the old listener closed
 *     (make before break: there is no moment without a listener). Wildcard listeners are left alone.</li>
 * <li>Then, every {@code sweepInterval}: each tracked connection whose local address is the old one and which
 *     the application reports idle is shut down for output (the peer reads end-of-stream) and closed. A busy
 *     connection is closed at the first sweep that finds it idle.</li>
 * <li>On {@link #completed} or {@link #timedOut} the old address is gone: connections still on it are dead and
 *     are closed, and the sweeping stops.</li>
 * <li>On {@link #cancelled} or {@link #failed} the agent removes the new address again: the listeners go back to
 *     the old address and the sweeping stops.</li>
 * </ol>
 *
 * <pre>{@code
 * ListenerRebinder rebinder = new ListenerRebinder();
 * rebinder.listen(new InetSocketAddress(address, 8080), 128, channel -> startAccepting(channel));
 * // for each accepted connection:
 * rebinder.track(connection, () -> !connection.isServingARequest());
 * client.subscribe("billing", "web", "", rebinder);
 * }</pre>
 *
 * The accept loop on a replaced channel ends with an {@link java.nio.channels.AsynchronousCloseException} (or
 * {@link java.nio.channels.ClosedChannelException}); treat it as the end of that loop, not as an error.
 *
 * <p>Known limit: the kernel keeps a closed listener bound until the thread blocked in its {@code accept()} has
 * returned. A cancel that arrives before the application's accept loop on the old channel has ended cannot bind
 * the old address and port again ("Address already in use"); the listener then stays on the new address, and the
 * failure is thrown to the client, which logs it.
 */
public final class ListenerRebinder implements AddressChangeHandler, AutoCloseable {

    private static final System.Logger log = System.getLogger(ListenerRebinder.class.getName());

    private final Duration sweepInterval;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<SocketChannel, BooleanSupplier> connections = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "renumber-rebinder-sweep");
        thread.setDaemon(true);
        return thread;
    });
    private ScheduledFuture<?> sweep;

    /** Sweeps idle connections every 200 ms while a change drains. */
    public ListenerRebinder() {
        this(Duration.ofMillis(200));
    }

    public ListenerRebinder(Duration sweepInterval) {
        if (sweepInterval.isNegative() || sweepInterval.isZero()) {
            throw new IllegalArgumentException("sweep interval must be positive: " + sweepInterval);
        }
        this.sweepInterval = sweepInterval;
    }

    /** One listening socket the rebinder keeps on the current address. */
    public final class Listener {
        private final int backlog;
        private final Consumer<ServerSocketChannel> onBound;
        private volatile ServerSocketChannel channel;

        private Listener(int backlog, Consumer<ServerSocketChannel> onBound) {
            this.backlog = backlog;
            this.onBound = onBound;
        }

        /** The channel in use now. */
        public ServerSocketChannel channel() {
            return channel;
        }

        /** The address it listens on now. */
        public InetSocketAddress address() {
            try {
                return (InetSocketAddress) channel.getLocalAddress();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Closes the channel and stops managing it. */
        public void close() throws IOException {
            listeners.remove(this);
            channel.close();
        }

        private synchronized void move(InetAddress from, InetAddress to) throws IOException {
            if (!channel.isOpen()) {
                return;
            }
            InetSocketAddress current = address();
            if (!current.getAddress().equals(from)) {
                return;
            }
            ServerSocketChannel replacement = open(new InetSocketAddress(to, current.getPort()), backlog);
            ServerSocketChannel old = channel;
            channel = replacement;
            try {
                onBound.accept(replacement);
            } finally {
                old.close();
            }
            log.log(Level.INFO, "listener moved from {0} to {1}", current, address());
        }
    }

    /**
     * Opens a listener on {@code address} and hands it to {@code onBound}, now and after every move. The
     * callback should start accepting on the channel it gets (a thread, or a selector registration).
     */
    public Listener listen(InetSocketAddress address, int backlog, Consumer<ServerSocketChannel> onBound)
            throws IOException {
        requireNonNull(address, "address");
        requireNonNull(onBound, "onBound");
        Listener listener = new Listener(backlog, onBound);
        listener.channel = open(address, backlog);
        listeners.add(listener);
        onBound.accept(listener.channel);
        return listener;
    }

    /**
     * Tracks an accepted (or any) connection so the rebinder can close it once its local address is being
     * replaced and {@code idle} says no request is in flight. Closed connections are forgotten by themselves.
     */
    public void track(SocketChannel connection, BooleanSupplier idle) {
        connections.put(requireNonNull(connection, "connection"), requireNonNull(idle, "idle"));
    }

    public List<Listener> listeners() {
        return List.copyOf(listeners);
    }

    @Override
    public void started(AddressChangeEvent event) {
        InetAddress from = event.oldInetAddress();
        InetAddress to = event.newInetAddress();
        moveAll(from, to);
        startSweeping(from);
    }

    @Override
    public void completed(AddressChangeEvent event) {
        closeAllOn(event.oldInetAddress());
    }

    @Override
    public void timedOut(AddressChangeEvent event) {
        closeAllOn(event.oldInetAddress());
    }

    @Override
    public void aliasRemovable(AddressChangeEvent event) {
        stopSweeping();
    }

    @Override
    public void cancelled(AddressChangeEvent event) {
        stopSweeping();
        moveAll(event.newInetAddress(), event.oldInetAddress());
    }

    @Override
    public void failed(AddressChangeEvent event) {
        stopSweeping();
        moveAll(event.newInetAddress(), event.oldInetAddress());
    }

    /** Stops sweeping and closes every listener. Tracked connections are left to the application. */
    @Override
    public void close() throws IOException {
        sweeper.shutdownNow();
        IOException first = null;
        for (Listener listener : listeners) {
            try {
                listener.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void moveAll(InetAddress from, InetAddress to) {
        EachMove.all(listeners, listener -> listener.move(from, to), e -> "could not move a listener from "
                + from.getHostAddress() + " to " + to.getHostAddress() + ": " + e.getMessage());
    }

    private synchronized void startSweeping(InetAddress old) {
        stopSweeping();
        sweep = sweeper.scheduleWithFixedDelay(() -> closeIdleOn(old), 0, sweepInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private synchronized void stopSweeping() {
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
    }

    private void closeIdleOn(InetAddress old) {
        connections.forEach((connection, idle) -> {
            if (!connection.isOpen()) {
                connections.remove(connection);
            } else if (isOn(connection, old) && isIdle(idle)) {
                closeGracefully(connection);
            }
        });
    }

    private void closeAllOn(InetAddress old) {
        stopSweeping();
        connections.forEach((connection, idle) -> {
            if (!connection.isOpen() || isOn(connection, old)) {
                closeGracefully(connection);
            }
        });
    }

    private void closeGracefully(SocketChannel connection) {
        connections.remove(connection);
        try {
            // FIN first: the peer reads end-of-stream, not a reset.
            connection.shutdownOutput();
        } catch (IOException e) {
            // already shut or reset by the peer
        }
        try {
            connection.close();
        } catch (IOException e) {
            log.log(Level.DEBUG, "closing a connection: {0}", e.toString());
        }
    }

    private static boolean isIdle(BooleanSupplier idle) {
        try {
            return idle.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean isOn(SocketChannel connection, InetAddress address) {
        try {
            // Java reports an IPv4-mapped local address of a dual-stack socket as the plain IPv4 address.
            return connection.getLocalAddress() instanceof InetSocketAddress local
                    && local.getAddress().equals(address);
        } catch (IOException e) {
            return false;
        }
    }

    private static ServerSocketChannel open(InetSocketAddress address, int backlog) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            // Moving back after a cancel re-binds a port whose old connections may linger in TIME_WAIT.
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(address, backlog);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }
}
