package org.renumber.jetty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.GoAwayFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.client.AddressChangeEvent;
import org.renumber.client.AddressChangeEvent.Type;

/**
 * A real Jetty server (HTTP/1.1 and h2c) on loopback addresses (all of 127/8 is local on Linux) and real clients:
 * raw HTTP/1.1 sockets, so the test reads the very header the server sends, and Jetty's HTTP/2 client, which sees
 * the GOAWAY frame.
 */
class JettyRebinderTest {

    private static final String OLD = "127.0.0.2";
    private static final String NEW = "127.0.0.3";

    private final CountDownLatch slowEntered = new CountDownLatch(1);
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private final List<Socket> sockets = new ArrayList<>();
    private Server server;
    private int port;

    @BeforeEach
    void startServer() throws Exception {
        server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config),
                new HTTP2CServerConnectionFactory(config));
        connector.setHost(OLD);
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (request.getHttpURI().getPath().equals("/slow")) {
                    slowEntered.countDown();
                    releaseSlow.await(30, TimeUnit.SECONDS);
                }
                Content.Sink.write(response, true, "ok " + Request.getLocalAddr(request) + "\n", callback);
                return true;
            }
        });
        server.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stopServer() throws Exception {
        releaseSlow.countDown();
        for (Socket socket : sockets) {
            socket.close();
        }
        server.stop();
    }

    @Test
    void newConnectionsGoToTheNewAddressAndTheInFlightRequestCompletesWithConnectionClose() throws Exception {
        JettyRebinder rebinder = new JettyRebinder(server);
        Http1 inFlight = new Http1(OLD);
        inFlight.send("/slow");
        assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();

        rebinder.started(event(Type.STARTED));

        assertThat(new Http1(NEW).get("/").status()).isEqualTo(200);
        assertThrows(ConnectException.class, () -> new Socket(OLD, port).close(), "the old listener is closed");
        releaseSlow.countDown();
        Reply reply = inFlight.read();
        assertEquals(200, reply.status(), "the request in flight completes");
        assertEquals("close", reply.headers().get("connection"), "the drain hint on the old connection");
        assertEquals(-1, inFlight.in.read(), "then the server closes it");
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
        assertThat(server.getConnectors()).hasSize(1);
        assertEquals(NEW, ((ServerConnector) server.getConnectors()[0]).getHost());
    }

    @Test
    void anIdleKeepAliveConnectionIsAnsweredWithConnectionCloseWhenItSendsAgainAndClosedAfterTheGrace() throws Exception {
        JettyRebinder rebinder = new JettyRebinder(server, JettyRebinder.copying(), Duration.ofSeconds(3), Duration.ZERO);
        Http1 busy = new Http1(OLD);
        Http1 idle = new Http1(OLD);
        assertThat(busy.get("/").headers()).doesNotContainKey("connection");
        assertThat(idle.get("/").headers()).doesNotContainKey("connection");

        rebinder.started(event(Type.STARTED));

        Reply reply = busy.get("/");
        assertEquals(200, reply.status(), "a request sent on an old keep-alive connection after the move is served");
        assertEquals("close", reply.headers().get("connection"));
        assertEquals(-1, idle.in.read(), "the idle one is closed gracefully (end of stream) after the grace");
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
    }

    @Test
    void anHttp2SessionOnTheOldAddressGetsGoAwayAndItsOpenStreamCompletes() throws Exception {
        JettyRebinder rebinder = new JettyRebinder(server);
        HTTP2Client client = new HTTP2Client();
        client.start();
        try {
            CompletableFuture<GoAwayFrame> goAway = new CompletableFuture<>();
            Session session = client.connect(new InetSocketAddress(OLD, port), new Session.Listener() {
                @Override
                public void onGoAway(Session s, GoAwayFrame frame) {
                    goAway.complete(frame);
                }
            }).get(10, TimeUnit.SECONDS);
            CompletableFuture<Integer> status = new CompletableFuture<>();
            MetaData.Request request = new MetaData.Request("GET", HttpURI.from("http://" + OLD + ":" + port + "/slow"),
                    HttpVersion.HTTP_2, HttpFields.EMPTY);
            session.newStream(new HeadersFrame(request, null, true), new Stream.Listener() {
                @Override
                public void onHeaders(Stream stream, HeadersFrame frame) {
                    if (frame.getMetaData() instanceof MetaData.Response response) {
                        status.complete(response.getStatus());
                    }
                    stream.demand();
                }

                @Override
                public void onDataAvailable(Stream stream) {
                    Stream.Data data = stream.readData();
                    if (data != null) {
                        data.release();
                    }
                    if (data == null || !data.frame().isEndStream()) {
                        stream.demand();
                    }
                }
            }).get(10, TimeUnit.SECONDS);
            assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();

            rebinder.started(event(Type.STARTED));

            assertThat(goAway.get(10, TimeUnit.SECONDS).isGraceful()).as("a graceful GOAWAY").isTrue();
            releaseSlow.countDown();
            assertEquals(200, status.get(10, TimeUnit.SECONDS), "the stream open before the GOAWAY completes");
            await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
        } finally {
            client.stop();
        }
    }

    @Test
    void http2SessionsOnTheNewConnectorGetNoGoAwayFromTheOldOnesShutdown() throws Exception {
        JettyRebinder rebinder = new JettyRebinder(server);
        rebinder.started(event(Type.STARTED));
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
        HTTP2Client client = new HTTP2Client();
        client.start();
        try {
            CompletableFuture<GoAwayFrame> goAway = new CompletableFuture<>();
            Session session = client.connect(new InetSocketAddress(NEW, port), new Session.Listener() {
                @Override
                public void onGoAway(Session s, GoAwayFrame frame) {
                    goAway.complete(frame);
                }
            }).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                CompletableFuture<Integer> status = new CompletableFuture<>();
                MetaData.Request request = new MetaData.Request("GET", HttpURI.from("http://" + NEW + ":" + port + "/"),
                        HttpVersion.HTTP_2, HttpFields.EMPTY);
                session.newStream(new HeadersFrame(request, null, true), new Stream.Listener() {
                    @Override
                    public void onHeaders(Stream stream, HeadersFrame frame) {
                        if (frame.getMetaData() instanceof MetaData.Response response) {
                            status.complete(response.getStatus());
                        }
                        stream.demand();
                    }
                }).get(10, TimeUnit.SECONDS);
                assertEquals(200, status.get(10, TimeUnit.SECONDS));
            }
            assertThat(goAway).as("a session on the new connector is not shut down").isNotDone();
        } finally {
            client.stop();
        }
    }

    @Test
    void withABreakDelayBothAddressesAcceptUntilItHasPassed() throws Exception {
        JettyRebinder rebinder = new JettyRebinder(server, JettyRebinder.copying(), JettyRebinder.DEFAULT_IDLE_GRACE,
                Duration.ofSeconds(2));

        rebinder.started(event(Type.STARTED));

        assertEquals(200, new Http1(NEW).get("/").status());
        Reply old = new Http1(OLD).get("/");
        assertEquals(200, old.status(), "a client that resolved the old address just before is served");
        assertThat(old.headers()).doesNotContainKey("connection");
        assertThat(rebinder.draining()).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
        assertThrows(ConnectException.class, () -> new Socket(OLD, port).close());
    }

    @Test
    void theWarningOpensTheNewConnectorEarlyAndStartedOnlyDrainsTheOldOne() throws Exception {
        JettyRebinder rebinder = new JettyRebinder(server);

        rebinder.warning(event(Type.WARNING)).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertEquals(200, new Http1(NEW).get("/").status(), "open before the change starts");
        assertEquals(200, new Http1(OLD).get("/").status());
        rebinder.started(event(Type.STARTED));
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
        assertThat(server.getConnectors()).hasSize(1);
        assertEquals(200, new Http1(NEW).get("/").status());
        assertThrows(ConnectException.class, () -> new Socket(OLD, port).close());
    }

    @Test
    void aCancelDuringTheWarningClosesTheConnectorOpenedEarly() throws Exception {
        JettyRebinder rebinder = new JettyRebinder(server);
        rebinder.warning(event(Type.WARNING)).toCompletableFuture().get(10, TimeUnit.SECONDS);

        rebinder.cancelled(event(Type.CANCELLED));

        assertThrows(ConnectException.class, () -> new Socket(NEW, port).close());
        assertEquals(200, new Http1(OLD).get("/").status());
        assertThat(server.getConnectors()).hasSize(1);
    }

    @Test
    void aCancelMovesTheConnectorBackToTheOldAddress() throws Exception {
        JettyRebinder rebinder = new JettyRebinder(server);
        rebinder.started(event(Type.STARTED));
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());

        rebinder.cancelled(event(Type.CANCELLED));

        assertEquals(200, new Http1(OLD).get("/").status());
        await().atMost(Duration.ofSeconds(30)).until(() -> rebinder.draining().isEmpty());
        assertThrows(ConnectException.class, () -> new Socket(NEW, port).close());
    }

    @Test
    void aWildcardConnectorIsLeftAlone() throws Exception {
        ServerConnector wildcard = new ServerConnector(server);
        wildcard.setPort(0);
        server.addConnector(wildcard);
        wildcard.start();
        JettyRebinder rebinder = new JettyRebinder(server);

        rebinder.started(event(Type.STARTED));

        assertThat(server.getConnectors()).contains(wildcard);
        assertEquals(200, new Http1(OLD, wildcard.getLocalPort()).get("/").status());
        assertThat(rebinder.draining()).doesNotContain(wildcard);
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
            out.write(("GET " + path + " HTTP/1.1\r\nHost: renumber.test\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        Reply get(String path) throws IOException {
            send(path);
            return read();
        }

        Reply read() throws IOException {
            String status = in.readLine();
            if (status == null) {
                throw new IOException("connection closed before a response");
            }
            Map<String, String> headers = new java.util.HashMap<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT),
                        line.substring(colon + 1).strip());
            }
            char[] body = new char[Integer.parseInt(headers.getOrDefault("content-length", "0"))];
            int read = 0;
            while (read < body.length) {
                read += in.read(body, read, body.length - read);
            }
            return new Reply(Integer.parseInt(status.split(" ")[1]), headers, new String(body));
        }
    }
}
