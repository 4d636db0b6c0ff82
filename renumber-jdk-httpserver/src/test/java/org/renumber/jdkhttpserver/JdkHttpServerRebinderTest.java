package org.renumber.jdkhttpserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.client.AddressChangeEvent;
import org.renumber.client.AddressChangeEvent.Type;

/**
 * Real JDK HTTP servers on loopback addresses (all of 127/8 is local on Linux) and raw HTTP/1.1 sockets, so the
 * test reads the very header the server sends and sees when it closes a connection.
 */
class JdkHttpServerRebinderTest {

    private static final String OLD = "127.0.0.2";
    private static final String NEW = "127.0.0.3";

    private final CountDownLatch slowEntered = new CountDownLatch(1);
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private final List<Socket> sockets = new ArrayList<>();
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private JdkHttpServerRebinder rebinder;
    private int port;

    @BeforeEach
    void startServer() throws IOException {
        rebinder = start(Duration.ofSeconds(1), new InetSocketAddress(OLD, 0));
        port = rebinder.addresses().get(0).getPort();
    }

    private JdkHttpServerRebinder start(Duration idleGrace, InetSocketAddress address) throws IOException {
        return JdkHttpServerRebinder.start(server -> {
            server.createContext("/", this::handle);
            server.setExecutor(handlers);
        }, idleGrace, List.of(address));
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (exchange.getRequestURI().getPath().equals("/slow")) {
            slowEntered.countDown();
            try {
                releaseSlow.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = ("ok " + exchange.getLocalAddress().getAddress().getHostAddress() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @AfterEach
    void stopServer() throws IOException {
        releaseSlow.countDown();
        for (Socket socket : sockets) {
            socket.close();
        }
        rebinder.close();
        handlers.shutdownNow();
    }

    @Test
    void newConnectionsGoToTheNewAddressAndTheInFlightRequestCompletesWithConnectionClose() throws Exception {
        Http1 inFlight = new Http1(OLD);
        inFlight.send("/slow");
        assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();

        rebinder.started(event(Type.STARTED));

        assertThat(new Http1(NEW).get("/").body()).isEqualTo("ok " + NEW + "\n");
        assertThrows(ConnectException.class, () -> new Socket(OLD, port).close(), "the old listener is closed");
        releaseSlow.countDown();
        Reply reply = inFlight.read();
        assertEquals(200, reply.status(), "the request in flight completes");
        assertEquals("close", reply.headers().get("connection"), "the drain hint, added while it was in the handler");
        assertEquals(-1, inFlight.in.read(), "then the server closes the connection");
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
        assertThat(rebinder.addresses()).containsExactly(new InetSocketAddress(NEW, port));
    }

    @Test
    void aRequestOnAnOldKeepAliveConnectionIsAnsweredWithConnectionCloseAndIdleOnesCloseAfterTheGrace()
            throws Exception {
        rebinder.close();
        rebinder = start(Duration.ofSeconds(3), new InetSocketAddress(OLD, port));
        Http1 busy = new Http1(OLD);
        Http1 idle = new Http1(OLD);
        assertThat(busy.get("/").headers()).doesNotContainKey("connection");
        assertThat(idle.get("/").headers()).doesNotContainKey("connection");

        rebinder.started(event(Type.STARTED));

        Reply reply = busy.get("/");
        assertEquals(200, reply.status(), "a request sent on an old keep-alive connection after the move is served");
        assertEquals("close", reply.headers().get("connection"));
        assertEquals(-1, idle.in.read(), "the idle one is closed (end of stream) once the old server is done");
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
    }

    @Test
    void anIdleConnectionAloneIsClosedAfterTheIdleGraceNotAtTheDeadline() throws Exception {
        Http1 idle = new Http1(OLD);
        assertEquals(200, idle.get("/").status());

        rebinder.started(event(Type.STARTED)); // deadline in 60 s

        assertThat(rebinder.draining()).hasSize(1);
        assertEquals(-1, idle.in.read(), "closed after the 1 s grace (the socket's read timeout is 30 s)");
        await().atMost(Duration.ofSeconds(20)).until(() -> rebinder.draining().isEmpty());
    }

    @Test
    void theWarningOpensTheNewServerEarlyAndStartedOnlyDrainsTheOldOne() throws Exception {
        rebinder.warning(event(Type.WARNING)).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertEquals(200, new Http1(NEW).get("/").status(), "open before the change starts");
        assertEquals(200, new Http1(OLD).get("/").status());
        assertThat(rebinder.addresses()).containsExactly(new InetSocketAddress(OLD, port));
        rebinder.started(event(Type.STARTED));
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
        assertThat(rebinder.addresses()).containsExactly(new InetSocketAddress(NEW, port));
        assertEquals(200, new Http1(NEW).get("/").status());
        assertThrows(ConnectException.class, () -> new Socket(OLD, port).close());
    }

    @Test
    void aCancelDuringTheWarningClosesTheServerOpenedEarly() throws Exception {
        rebinder.warning(event(Type.WARNING)).toCompletableFuture().get(10, TimeUnit.SECONDS);

        rebinder.cancelled(event(Type.CANCELLED));

        assertThrows(ConnectException.class, () -> new Socket(NEW, port).close());
        assertEquals(200, new Http1(OLD).get("/").status());
        assertThat(rebinder.addresses()).containsExactly(new InetSocketAddress(OLD, port));
    }

    @Test
    void aCancelMovesTheServerBackToTheOldAddress() throws Exception {
        rebinder.started(event(Type.STARTED));
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());

        rebinder.cancelled(event(Type.CANCELLED));

        assertEquals(200, new Http1(OLD).get("/").status());
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
        assertThrows(ConnectException.class, () -> new Socket(NEW, port).close());
    }

    @Test
    void completedStopsWhatIsStillDraining() throws Exception {
        Http1 inFlight = new Http1(OLD);
        inFlight.send("/slow");
        assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();
        rebinder.started(event(Type.STARTED));
        assertThat(rebinder.draining()).hasSize(1);

        rebinder.completed(event(Type.COMPLETED));

        assertThat(rebinder.draining()).isEmpty();
        assertThrows(IOException.class, inFlight::read, "the old address is gone: its last connection is cut");
    }

    @Test
    void aContextWithAnAuthenticatorStillWorksAndRequestsBegunAfterTheDrainGetTheHint() throws Exception {
        rebinder.close();
        rebinder = JdkHttpServerRebinder.start(server -> server.createContext("/", this::handle)
                .setAuthenticator(new BasicAuthenticator("renumber") {
                    @Override
                    public boolean checkCredentials(String user, String password) {
                        return user.equals("u") && password.equals("p");
                    }
                }), Duration.ofSeconds(3), List.of(new InetSocketAddress(OLD, port)));
        Http1 old = new Http1(OLD);
        assertEquals(401, old.get("/", "").status(), "the JDK's authentication filter runs after the hint");
        assertEquals(200, old.get("/", "dTpw").status());

        rebinder.started(event(Type.STARTED));

        Reply reply = old.get("/", "dTpw");
        assertEquals(200, reply.status());
        assertEquals("close", reply.headers().get("connection"));
        assertEquals(200, new Http1(NEW).get("/", "dTpw").status());
    }

    @Test
    void aServerOnTheWildcardAddressIsLeftAlone() throws Exception {
        try (JdkHttpServerRebinder wildcard = start(Duration.ofSeconds(1), new InetSocketAddress(0))) {
            int wildcardPort = wildcard.addresses().get(0).getPort();

            wildcard.started(event(Type.STARTED));

            assertThat(wildcard.draining()).isEmpty();
            assertThat(wildcard.addresses()).hasSize(1);
            assertEquals(200, new Http1(OLD, wildcardPort).get("/").status());
            assertEquals(200, new Http1(NEW, wildcardPort).get("/").status());
        }
    }

    @Test
    void aFailingSetupLeavesNothingListeningAndTheSetupCannotStartTheServer() throws Exception {
        InetSocketAddress address = new InetSocketAddress(NEW, port);
        assertThatThrownBy(() -> JdkHttpServerRebinder.start(server -> {
            throw new IOException("no configuration");
        }, address)).hasMessage("no configuration");
        assertThrows(ConnectException.class, () -> new Socket(NEW, port).close());
        assertThatThrownBy(() -> JdkHttpServerRebinder.start(server -> server.start(), address))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> JdkHttpServerRebinder.start(server -> { }, Duration.ZERO, List.of(address)))
                .hasMessageContaining("idle grace must be positive");
        assertThatThrownBy(() -> JdkHttpServerRebinder.start(server -> { }, Duration.ofSeconds(1), List.of()))
                .hasMessageContaining("addresses");
    }

    private static AddressChangeEvent event(Type type) {
        Instant now = Instant.now();
        return new AddressChangeEvent(type, type.wireName(), "c1", "lo", OLD + "/8", NEW + "/8", "DRAINING", 1, "",
                "", now, now.plusSeconds(60), type.name(), Map.of());
    }

    record Reply(int status, Map<String, String> headers, String body) {
    }

    /** One HTTP/1.1 keep-alive connection, written and read by hand. */
    final class Http1 {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Http1(String host) throws IOException {
            this(host, port);
        }

        Http1(String host, int toPort) throws IOException {
            socket = new Socket(host, toPort);
            socket.setSoTimeout(30_000);
            sockets.add(socket);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            out = socket.getOutputStream();
        }

        void send(String path) throws IOException {
            send(path, null);
        }

        /** {@code basic}: the Basic credentials (base64), or empty for none. */
        void send(String path, String basic) throws IOException {
            String auth = basic == null || basic.isEmpty() ? "" : "Authorization: Basic " + basic + "\r\n";
            out.write(("GET " + path + " HTTP/1.1\r\nHost: renumber.test\r\n" + auth + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        Reply get(String path) throws IOException {
            send(path);
            return read();
        }

        Reply get(String path, String basic) throws IOException {
            send(path, basic);
            return read();
        }

        Reply read() throws IOException {
            String status = in.readLine();
            if (status == null) {
                throw new IOException("connection closed before a response");
            }
            Map<String, String> headers = new HashMap<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
            char[] body = new char[Integer.parseInt(headers.getOrDefault("content-length", "0"))];
            int read = 0;
            while (read < body.length) {
                int n = in.read(body, read, body.length - read);
                if (n < 0) {
                    throw new IOException("connection closed in the body");
                }
                read += n;
            }
            return new Reply(Integer.parseInt(status.split(" ")[1]), headers, new String(body));
        }
    }
}
