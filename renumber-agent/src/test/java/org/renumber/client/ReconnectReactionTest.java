package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.EchoServer;

/** Outbound connections re-opened from the new source, with real sockets on loopback addresses. */
class ReconnectReactionTest {

    private static final String OLD = "127.0.0.2";
    private static final String NEW = "127.0.0.3";
    private static final String UNUSABLE = "192.0.2.1";

    private final ReconnectReaction reconnects = new ReconnectReaction();
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private ServerSocket server;

    @BeforeEach
    void startServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        EchoServer.serveInBackground(server, accepted::add);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        for (ReconnectReaction.Connection<?> connection : reconnects.connections()) {
            connection.close();
        }
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    @Test
    void connectionFromTheOldAddressIsReopenedFromTheNewOneAndTheOldOneRetiredGracefully() throws Exception {
        List<String> replaced = new CopyOnWriteArrayList<>();
        ReconnectReaction.Connection<SocketChannel> connection = reconnects.open(from(OLD),
                (old, fresh) -> replaced.add(local(old) + " -> " + local(fresh)));
        SocketChannel first = connection.current();
        assertEquals("x", roundTrip(first));

        reconnects.started(Events.of(AddressChangeEvent.Type.STARTED, OLD + "/8", NEW + "/8"));

        assertEquals(NEW, local(connection.current()));
        assertThat(replaced).containsExactly(OLD + " -> " + NEW);
        assertThat(first.isOpen()).isFalse();
        assertEquals("x", roundTrip(connection.current()));
        Socket serverSideOfFirst = accepted.stream()
                .filter(s -> s.getInetAddress().getHostAddress().equals(OLD)).findFirst().orElseThrow();
        // The server's echo loop closes its side only when it reads end-of-stream; a reset would leave it open.
        await().until(serverSideOfFirst::isClosed);
    }

    @Test
    void connectionsFromOtherAddressesAreLeftAlone() throws Exception {
        ReconnectReaction.Connection<SocketChannel> other = reconnects.open(from("127.0.0.4"));
        SocketChannel before = other.current();

        reconnects.started(Events.of(AddressChangeEvent.Type.STARTED, OLD + "/8", NEW + "/8"));

        assertSame(before, other.current());
        assertEquals("x", roundTrip(other.current()));
    }

    @Test
    void cancelMovesTheConnectionBackToTheOldAddress() throws Exception {
        ReconnectReaction.Connection<SocketChannel> connection = reconnects.open(from(OLD));
        reconnects.started(Events.of(AddressChangeEvent.Type.STARTED, OLD + "/8", NEW + "/8"));

        reconnects.cancelled(Events.of(AddressChangeEvent.Type.CANCELLED, OLD + "/8", NEW + "/8"));

        assertEquals(OLD, local(connection.current()));
        assertEquals("x", roundTrip(connection.current()));
    }

    @Test
    void aConnectionThatCannotBeReopenedStaysAndTheFailureIsReported() throws Exception {
        ReconnectReaction.Connection<SocketChannel> connection = reconnects.open(from(OLD));
        SocketChannel before = connection.current();

        // No interface holds the documentation address, so binding to it fails every time. Closing the server
        // instead was flaky: close() returns while the acceptor thread still pins the listening socket in
        // accept(), and the kernel queues the reconnect on it.
        UncheckedIOException failure = assertThrows(UncheckedIOException.class,
                () -> reconnects.started(Events.of(AddressChangeEvent.Type.STARTED, OLD + "/8", UNUSABLE + "/24")));

        assertThat(failure.getMessage()).contains("could not reconnect from " + UNUSABLE);
        assertSame(before, connection.current());
        assertEquals("x", roundTrip(connection.current()));
    }

    /** The application's connection factory: its first connection leaves from {@code initialSource}. */
    private ReconnectReaction.Connector<SocketChannel> from(String initialSource) throws IOException {
        ReconnectReaction.Connector<SocketChannel> plain = ReconnectReaction.socketChannel(
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), server.getLocalPort()));
        InetAddress initial = InetAddress.getByName(initialSource);
        return new ReconnectReaction.Connector<>() {
            @Override
            public SocketChannel connect(InetAddress source) throws IOException {
                return plain.connect(source == null ? initial : source);
            }

            @Override
            public InetAddress localAddress(SocketChannel connection) throws IOException {
                return plain.localAddress(connection);
            }

            @Override
            public void retire(SocketChannel connection) throws IOException {
                plain.retire(connection);
            }
        };
    }

    private static String local(SocketChannel channel) {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getAddress().getHostAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String roundTrip(SocketChannel channel) throws IOException {
        channel.write(ByteBuffer.wrap(new byte[] {'x'}));
        ByteBuffer answer = ByteBuffer.allocate(1);
        return channel.read(answer) < 0 ? "EOF" : String.valueOf((char) answer.get(0));
    }
}
