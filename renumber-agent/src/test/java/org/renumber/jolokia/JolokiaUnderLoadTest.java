package org.renumber.jolokia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;
import org.renumber.domain.ChangeState;
import org.renumber.jmx.JmxAdapter;
import org.renumber.jmx.ServiceFixture;
import org.renumber.security.Credentials;

/**
 * Jolokia keeps answering an operator while hostile or merely patient clients hold connections: idle and
 * half-sent requests, and scripts blocked in {@code awaitChange} (issue 13, item 3). Asserts that the cancel is
 * answered, not how fast; the benchmark reports the time.
 */
class JolokiaUnderLoadTest {

    static final int IDLE_CONNECTIONS = 50;
    static final int WAITERS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Credentials credentials = new Credentials("operator", "pw-" + System.nanoTime());
    private final ServiceFixture fixture = new ServiceFixture();
    private final List<Socket> idle = new ArrayList<>();
    private JmxAdapter adapter;
    private JolokiaAgent agent;

    @BeforeEach
    void start() throws Exception {
        adapter = JmxAdapter.export(ManagementFactory.getPlatformMBeanServer(), fixture.service, fixture.tracker,
                fixture.sockets);
        fixture.start();
        agent = JolokiaAgent.start(Map.of("port", "0"), credentials);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : idle) {
            socket.close();
        }
        agent.close();
        adapter.close();
        fixture.close();
    }

    @Test
    void aCancelIsAnsweredWhileFiftyIdleConnectionsAndTwentyAwaitChangeCallsAreHeld() throws Exception {
        fixture.tracker.setConnections(InetAddress.getByName("10.9.0.1"), 1);
        HttpClient http = HttpClient.newHttpClient();
        String id = exec(http, "changeAddress", "v0", "10.9.0.1", "10.9.1.1/24", "", 600).path("value").asText();
        await().until(() -> fixture.service.change(id).orElseThrow().progress().state() == ChangeState.DRAINING);

        openIdleConnections(IDLE_CONNECTIONS);
        List<CompletableFuture<HttpResponse<String>>> waiters = new ArrayList<>();
        // Each waiter on its own client, so each holds its own connection, as separate scripts would; the list
        // keeps the clients reachable (an unreachable HttpClient abandons its requests).
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < WAITERS; i++) {
            HttpClient client = HttpClient.newHttpClient();
            clients.add(client);
            waiters.add(client.sendAsync(request("awaitChange", id, 600), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> threadsIn("awaitChange") >= WAITERS);

        JsonNode cancelled = exec(http, "cancelChange", id);
        assertThat(cancelled.path("status").asInt()).as(cancelled.toString()).isEqualTo(200);
        for (CompletableFuture<HttpResponse<String>> waiter : waiters) {
            JsonNode answer = JSON.readTree(waiter.get().body());
            assertThat(answer.path("value").asText()).as(answer.toString()).isEqualTo("CANCELLED");
        }
        assertThat(clients).hasSize(WAITERS);
    }

    /** Threads of this JVM now inside a method of that name: the waiters, wherever the agent runs them. */
    static long threadsIn(String method) {
        return Thread.getAllStackTraces().values().stream().filter(stack -> java.util.Arrays.stream(stack)
                .anyMatch(frame -> frame.getMethodName().equals(method)
                        && frame.getClassName().startsWith("org.renumber.service"))).count();
    }

    /**
     * Connections that hold the server in every way a client can without logging in: connected and silent, half a
     * request line, full headers of a POST whose body never comes (with and without credentials).
     */
    void openIdleConnections(int count) throws Exception {
        int port = agent.address().getPort();
        String auth = "Authorization: Basic " + Base64.getEncoder().encodeToString(
                (credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket("127.0.0.1", port);
            idle.add(socket);
            OutputStream out = socket.getOutputStream();
            switch (i % 4) {
                case 0 -> { }
                case 1 -> out.write("POST /jolokia HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.UTF_8));
                case 2 -> out.write(("POST /jolokia HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n\r\n{")
                        .getBytes(StandardCharsets.UTF_8));
                default -> out.write(("POST /jolokia HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                        + "Content-Length: 500\r\n\r\n{").getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
        }
    }

    private JsonNode exec(HttpClient http, String operation, Object... arguments) throws Exception {
        return JSON.readTree(http.send(request(operation, arguments), HttpResponse.BodyHandlers.ofString()).body());
    }

    private HttpRequest request(String operation, Object... arguments) throws Exception {
        String body = JSON.writeValueAsString(Map.of("type", "exec", "mbean", MBeanNames.SERVICE.toString(),
                "operation", operation, "arguments", List.of(arguments)));
        // Generous: the test is that an answer comes at all; without the fix none ever came.
        return HttpRequest.newBuilder(URI.create(agent.url().toString())).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
