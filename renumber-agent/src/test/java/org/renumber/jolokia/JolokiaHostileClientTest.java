package org.renumber.jolokia;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;
import org.renumber.jmx.JmxAdapter;
import org.renumber.jmx.ServiceFixture;
import org.renumber.security.Credentials;
import org.renumber.security.LoginBackoff;
import org.renumber.testing.MutableClock;

/**
 * What a browser page, a broken client or a password guesser gets from the endpoint (issue 13, item 6): refusals
 * with the right status, a log line for each, and nothing run.
 */
class JolokiaHostileClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Credentials credentials = new Credentials("operator", "pw-" + System.nanoTime());
    private final HttpClient http = HttpClient.newHttpClient();
    private final ServiceFixture fixture = new ServiceFixture();
    // Login back-off time moves only when the test says so.
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private JmxAdapter adapter;
    private JolokiaAgent agent;

    @BeforeEach
    void start() throws Exception {
        adapter = JmxAdapter.export(ManagementFactory.getPlatformMBeanServer(), fixture.service, fixture.tracker,
                fixture.sockets);
        fixture.start();
        agent = JolokiaAgent.start(Map.of("port", "0"), credentials, new LoginBackoff(clock));
    }

    @AfterEach
    void stop() {
        agent.close();
        adapter.close();
        fixture.close();
    }

    @Test
    void aCrossOriginWriteWithCachedCredentialsIsRefusedAndRunsNothing() throws Exception {
        String subscribe = "{\"type\":\"exec\",\"mbean\":\"renumber:type=AddressChangeService\",\"operation\":"
                + "\"subscribe\",\"arguments\":[\"evil\",\"\",\"\"]}";
        List<Map<String, String>> browserHeaders = List.of(
                Map.of("Origin", "http://evil.example"),
                Map.of("Origin", "null"),
                // another port of the agent's own host is another origin
                Map.of("Origin", "http://127.0.0.1:1"),
                Map.of("Sec-Fetch-Site", "cross-site"),
                Map.of("Sec-Fetch-Site", "same-site"),
                Map.of("Referer", "http://evil.example/page.html"));
        for (Map<String, String> headers : browserHeaders) {
            HttpRequest.Builder request = HttpRequest.newBuilder(agent.url()).header("Authorization", basic())
                    .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString(subscribe));
            headers.forEach(request::header);
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(headers.toString()).isEqualTo(403);
            assertThat(response.body()).as(headers.toString()).contains("cross-origin request refused");
        }
        String getExec = agent.url() + "/exec/renumber:type=AddressChangeService/subscribe/evil2/x/";
        HttpResponse<String> viaGet = http.send(HttpRequest.newBuilder(URI.create(getExec))
                .header("Authorization", basic()).header("Sec-Fetch-Site", "cross-site").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(viaGet.statusCode()).isEqualTo(403);
        assertThat(fixture.service.subscribers().all()).isEmpty();

        HttpResponse<String> own = http.send(HttpRequest.newBuilder(agent.url()).header("Authorization", basic())
                .header("Origin", "http://127.0.0.1:" + agent.address().getPort())
                .header("Sec-Fetch-Site", "same-origin")
                .POST(HttpRequest.BodyPublishers.ofString(subscribe)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(own.body()).path("status").asInt()).as(own.body()).isEqualTo(200);
        assertThat(fixture.service.subscribers().all()).hasSize(1);
    }

    @Test
    void optionsIsAnsweredWithTheAllowedMethodsNotAnError() throws Exception {
        HttpResponse<String> logged = http.send(HttpRequest.newBuilder(agent.url()).header("Authorization", basic())
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(logged.statusCode()).isEqualTo(204);
        assertThat(logged.headers().firstValue("Allow")).hasValue("GET, POST, OPTIONS");
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(agent.url())
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void aMalformedBasicHeaderGetsA401AndALogLine() throws Exception {
        List<String> malformed = List.of("Basic !!!not-base64!!!", "Basic " + b64("no-colon-here"), "Basic",
                "Bearer abc", "Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, ':', 'x'}));
        String log = capturingStandardError(() -> {
            for (String header : malformed) {
                assertThat(rawStatusLine(header)).as(header).startsWith("HTTP/1.1 401");
            }
        });
        List<String> lines = log.lines().filter(line -> line.contains("malformed Authorization header")).toList();
        assertThat(lines).hasSize(malformed.size());
        // Every log line says when (simplelogger.properties), and who.
        assertThat(lines).allSatisfy(line -> assertThat(line)
                .matches("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) .*")
                .contains("from 127.0.0.1"));
    }

    @Test
    void repeatedWrongPasswordsBackOffAndSayForHowLong() throws Exception {
        String wrong = "Basic " + b64(credentials.user() + ":wrong");
        for (int attempt = 1; attempt <= 5; attempt++) {
            assertThat(status(wrong).statusCode()).as("attempt " + attempt).isEqualTo(401);
        }
        HttpResponse<String> sixth = status(wrong);
        assertThat(sixth.statusCode()).isEqualTo(401);
        for (int attempt = 7; attempt <= 300; attempt++) {
            HttpResponse<String> refused = status(wrong);
            assertThat(refused.statusCode()).as("attempt " + attempt).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        }
        // Not checked during the wait, so the right password is refused too until it passes.
        assertThat(status(basic()).statusCode()).isEqualTo(429);
        clock.advance(Duration.ofSeconds(31));
        assertThat(status(basic()).statusCode()).isEqualTo(200);
        assertThat(status(wrong).statusCode()).as("the count starts again after a login").isEqualTo(401);
    }

    @Test
    void theSubscribersAttributeIsNotCutAtAThousand() throws Exception {
        for (int i = 0; i < 1500; i++) {
            fixture.service.subscribers().subscribe("app-" + i, "", "");
        }
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(agent.url() + "/read/"
                + MBeanNames.SERVICE + "/Subscribers")).header("Authorization", basic()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode value = JSON.readTree(read.body()).path("value");
        assertThat(value.size()).as(read.body().substring(0, 200)).isEqualTo(1500);
    }

    private HttpResponse<String> status(String authorization) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(agent.url() + "/version"))
                .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    // java.net.http refuses to send some of these headers, so they go over a plain socket.
    private String rawStatusLine(String authorization) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", agent.address().getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET /jolokia/version HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                    + authorization + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            String line = in.readLine();
            return line == null ? "(connection closed with no answer)" : line;
        }
    }

    interface Action {
        void run() throws Exception;
    }

    // slf4j-simple writes to whatever System.err is when it logs.
    private static String capturingStandardError(Action action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }

    private String basic() {
        return "Basic " + b64(credentials.user() + ":" + credentials.password());
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
