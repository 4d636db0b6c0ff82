package org.renumber.client;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Re-opens an application's outbound connections from the new source address. The application plugs its
 * connection factory in as a {@link Connector} and always uses {@link Connection#current()}:
 *
 * <pre>{@code
 * ReconnectReaction reconnects = new ReconnectReaction();
 * ReconnectReaction.Connection<SocketChannel> db =
 *         reconnects.open(ReconnectReaction.socketChannel(new InetSocketAddress("10.9.0.2", 5432)),
 *                 (old, fresh) -> log.info("database connection moved"));
 * ... db.current().write(...) ...
 * client.subscribe("billing", "web", "", reconnects);
 * }</pre>
 *
 * <p>On {@link #started} every connection whose local address is the old address is connected again from the
 * new address, swapped in, reported to its {@code onReplaced} callback and then retired (closed by default). A
 * connection that cannot be re-opened stays as it is and the failure is thrown to the client, which logs it; it
 * breaks when the old address goes. On {@link #cancelled} and {@link #failed} the agent removes the new address
 * again, so connections that were moved to it are moved back to the old address.
 */
public final class ReconnectReaction implements AddressChangeHandler {

    private static final System.Logger log = System.getLogger(ReconnectReaction.class.getName());

    private final List<Connection<?>> connections = new CopyOnWriteArrayList<>();

    /** How to make, inspect and retire one kind of connection. */
    public interface Connector<C extends Closeable> {

        /**
         * Opens a connection whose local address is {@code source}, or the kernel's choice when null (the
         * first connection).
         */
        C connect(InetAddress source) throws IOException;

        /** The local address the connection uses. */
        InetAddress localAddress(C connection) throws IOException;

        /**
         * Ends a replaced connection. The default closes it; override to let in-flight requests finish first or
         * to say goodbye in the application protocol.
         */
        default void retire(C connection) throws IOException {
            connection.close();
        }
    }

    /** One outbound connection kept on a usable source address. */
    public final class Connection<C extends Closeable> implements Closeable {
        private final Connector<C> connector;
        private final BiConsumer<C, C> onReplaced;
        private volatile C current;

        private Connection(Connector<C> connector, BiConsumer<C, C> onReplaced, C first) {
            this.connector = connector;
            this.onReplaced = onReplaced;
            this.current = first;
        }

        /** The connection to use now; ask again after a change. */
        public C current() {
            return current;
        }

        /** Closes the connection and stops managing it. */
        @Override
        public void close() throws IOException {
            connections.remove(this);
            current.close();
        }

        private synchronized void move(InetAddress from, InetAddress to) throws IOException {
            C old = current;
            if (!from.equals(connector.localAddress(old))) {
                return;
            }
            C fresh = connector.connect(to);
            current = fresh;
            try {
                onReplaced.accept(old, fresh);
            } finally {
                try {
                    connector.retire(old);
                } catch (IOException e) {
                    log.log(Level.DEBUG, "retiring a replaced connection: {0}", e.toString());
                }
            }
            log.log(Level.INFO, "outbound connection moved from source {0} to {1}", from.getHostAddress(),
                    to.getHostAddress());
        }
    }

    /** Opens a managed connection (source chosen by the kernel) with no replacement callback. */
    public <C extends Closeable> Connection<C> open(Connector<C> connector) throws IOException {
        return open(connector, (old, fresh) -> { });
    }

    /**
     * Opens a managed connection; {@code onReplaced} gets the old and the new connection after a move, before
     * the old one is retired (move per-connection state across there).
     */
    public <C extends Closeable> Connection<C> open(Connector<C> connector, BiConsumer<C, C> onReplaced)
            throws IOException {
        requireNonNull(connector, "connector");
        requireNonNull(onReplaced, "onReplaced");
        Connection<C> connection = new Connection<>(connector, onReplaced, connector.connect(null));
        connections.add(connection);
        return connection;
    }

    public List<Connection<?>> connections() {
        return List.copyOf(connections);
    }

    @Override
    public void started(AddressChangeEvent event) {
        moveAll(event.oldInetAddress(), event.newInetAddress());
    }

    @Override
    public void cancelled(AddressChangeEvent event) {
        moveAll(event.newInetAddress(), event.oldInetAddress());
    }

    @Override
    public void failed(AddressChangeEvent event) {
        moveAll(event.newInetAddress(), event.oldInetAddress());
    }

    private void moveAll(InetAddress from, InetAddress to) {
        EachMove.all(connections, connection -> connection.move(from, to),
                e -> "could not reconnect from " + to.getHostAddress() + ": " + e.getMessage());
    }

    /**
     * A {@link Connector} for plain TCP {@link SocketChannel}s to {@code remote} (blocking mode); retiring shuts
     * the output down first, so the peer reads end-of-stream rather than a reset.
     */
    public static Connector<SocketChannel> socketChannel(InetSocketAddress remote) {
        requireNonNull(remote, "remote");
        return new Connector<>() {
            @Override
            public SocketChannel connect(InetAddress source) throws IOException {
                SocketChannel channel = SocketChannel.open();
                try {
                    if (source != null) {
                        channel.bind(new InetSocketAddress(source, 0));
                    }
                    channel.connect(remote);
                    return channel;
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
            }

            @Override
            public InetAddress localAddress(SocketChannel connection) throws IOException {
                return ((InetSocketAddress) connection.getLocalAddress()).getAddress();
            }

            @Override
            public void retire(SocketChannel connection) throws IOException {
                try {
                    connection.shutdownOutput();
                } finally {
                    connection.close();
                }
            }
        };
    }
}
