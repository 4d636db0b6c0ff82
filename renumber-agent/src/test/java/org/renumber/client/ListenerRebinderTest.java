package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rebinder with real sockets on loopback addresses (all of 127/8 is local on Linux). */
class ListenerRebinderTest {

    private static final String OLD = "127.0.0.2";
    private static final String NEW = "127.0.0.3";

    private final ListenerRebinder rebinder = new ListenerRebinder();
    private final EchoServer server = new EchoServer();
    private final List<Socket> clients = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        rebinder.close();
        for (Socket client : clients) {
            client.close();
        }
    }

    @Test
    void listenerMovesToTheNewAddressOnTheSamePortAndTheOldAddressRefuses() throws Exception {
        ListenerRebinder.Listener listener = rebinder.listen(address(OLD, 0), 50, server::serve);
        int port = listener.address().getPort();

        rebinder.started(Events.of(AddressChangeEvent.Type.STARTED, OLD + "/8", NEW + "/8"));

        assertEquals(address(NEW, port), listener.address());
        assertEquals("x", roundTrip(connect(NEW, port)), "the new listener is handed to the application and serves");
        assertThrows(ConnectException.class, () -> connect(OLD, port));
    }

    @Test
    void idleConnectionsOnTheOldAddressGetEndOfStreamAndBusyOnesOnlyOnceIdle() throws Exception {
        int port = rebinder.listen(address(OLD, 0), 50, server::serve).address().getPort();
        Socket idle = connect(OLD, port);
        Socket busy = connect(OLD, port);
        assertEquals("x", roundTrip(idle));
        assertEquals("x", roundTrip(busy));
        server.busy(busy.getLocalPort()).set(true);

        rebinder.started(Events.of(AddressChangeEvent.Type.STARTED, OLD + "/8", NEW + "/8"));

        assertEquals(-1, idle.getInputStream().read(), "graceful close: end-of-stream, not a reset");
        assertEquals("x", roundTrip(busy), "a connection serving a request is left to finish");
        server.busy(busy.getLocalPort()).set(false);
        assertEquals(-1, busy.getInputStream().read());
    }

    @Test
    void wildcardListenersAndConnectionsOnOtherAddressesAreLeftAlone() throws Exception {
        ListenerRebinder.Listener wildcard = rebinder.listen(new InetSocketAddress(0), 50, server::serve);
        ListenerRebinder.Listener other = rebinder.listen(address("127.0.0.4", 0), 50, server::serve);
        Socket bystander = connect("127.0.0.4", other.address().getPort());
        roundTrip(bystander);

        rebinder.started(Events.of(AddressChangeEvent.Type.STARTED, OLD + "/8", NEW + "/8"));
        rebinder.completed(Events.of(AddressChangeEvent.Type.COMPLETED, OLD + "/8", NEW + "/8"));

        assertThat(wildcard.address().getAddress().isAnyLocalAddress()).isTrue();
        assertEquals(InetAddress.getByName("127.0.0.4"), other.address().getAddress());
        assertEquals("x", roundTrip(bystander));
    }

    @Test
    void cancelMovesTheListenersBackToTheOldAddress() throws Exception {
        ListenerRebinder.Listener listener = rebinder.listen(address(OLD, 0), 50, server::serve);
        int port = listener.address().getPort();
        rebinder.started(Events.of(AddressChangeEvent.Type.STARTED, OLD + "/8", NEW + "/8"));
        // The kernel keeps a closed listener bound until the thread blocked in its accept() returns; moving back
        // to OLD:port before that fails with "Address already in use" (a known limit, see ListenerRebinder).
        await().until(() -> server.acceptLoopsRunning() == 1);

        rebinder.cancelled(Events.of(AddressChangeEvent.Type.CANCELLED, OLD + "/8", NEW + "/8"));

        assertEquals(address(OLD, port), listener.address());
        assertEquals("x", roundTrip(connect(OLD, port)));
        // Not asserting that NEW:port refuses: the port is ephemeral, and any wildcard listener another process
        // opens on it meanwhile would accept the connection.
    }

    @Test
    void connectionsStillOnTheOldAddressAreClosedWhenTheChangeEnds() throws Exception {
        int port = rebinder.listen(address(OLD, 0), 50, server::serve).address().getPort();
        Socket busy = connect(OLD, port);
        roundTrip(busy);
        server.busy(busy.getLocalPort()).set(true);
        rebinder.started(Events.of(AddressChangeEvent.Type.STARTED, OLD + "/8", NEW + "/8"));
        assertEquals("x", roundTrip(busy));

        rebinder.timedOut(Events.of(AddressChangeEvent.Type.TIMEOUT, OLD + "/8", NEW + "/8"));

        assertEquals(-1, busy.getInputStream().read());
    }

    private Socket connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout(10_000);
            socket.connect(address(host, port), 5_000);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        clients.add(socket);
        return socket;
    }

    private static String roundTrip(Socket socket) throws IOException {
        socket.getOutputStream().write('x');
        socket.getOutputStream().flush();
        int echoed = socket.getInputStream().read();
        return echoed < 0 ? "EOF" : String.valueOf((char) echoed);
    }

    private static InetSocketAddress address(String host, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    /** The application side: accepts on whatever channel it is handed, echoes, and tells whether it is busy. */
    private final class EchoServer {
        private final Map<Integer, AtomicBoolean> busy = new ConcurrentHashMap<>();
        private final AtomicInteger acceptLoops = new AtomicInteger();

        int acceptLoopsRunning() {
            return acceptLoops.get();
        }

        AtomicBoolean busy(int clientPort) {
            return busy.computeIfAbsent(clientPort, p -> new AtomicBoolean());
        }

        void serve(ServerSocketChannel channel) {
            acceptLoops.incrementAndGet();
            daemon(() -> {
                try {
                    acceptOn(channel);
                } finally {
                    acceptLoops.decrementAndGet();
                }
            });
        }

        private void acceptOn(ServerSocketChannel channel) {
            while (channel.isOpen()) {
                try {
                    SocketChannel connection = channel.accept();
                    AtomicBoolean flag = busy(((InetSocketAddress) connection.getRemoteAddress()).getPort());
                    rebinder.track(connection, () -> !flag.get());
                    daemon(() -> echo(connection));
                } catch (IOException e) {
                    return; // the rebinder closed this listener after replacing it
                }
            }
        }

        private void echo(SocketChannel connection) {
            ByteBuffer buffer = ByteBuffer.allocate(1);
            try {
                while (connection.read(buffer) >= 0) {
                    buffer.flip();
                    connection.write(buffer);
                    buffer.clear();
                }
            } catch (IOException e) {
                // closed by the rebinder
            }
        }

        private void daemon(Runnable task) {
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            thread.start();
        }
    }
}
