package org.renumber.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How {@code renumber change} follows a change, against a stand-in for the agent's Jolokia that records every request:
 * the change's MBean is read once at the start and then only when a notification of that change arrives (not on a
 * timer, not for another change's notification); when the pull fails it reads on the slow safety-net timer; and the
 * notification client is unregistered at the end either way.
 */
class ChangeFollowerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "chg-0000abcd";

    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger pulls = new AtomicInteger();
    private volatile String state = "ADDING";
    /** The pull that carries this change's completed notification, or -1 when every pull fails. */
    private volatile int completingPull;
    private HttpServer server;

    @BeforeEach
    void startJolokia() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jolokia", this::answer);
        server.start();
    }

    @AfterEach
    void stopJolokia() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        String type = request.path("type").asText();
        String what = type.equals("notification") ? "notification " + request.path("command").asText()
                : type + " " + request.path("operation").asText(request.path("mbean").asText());
        requests.add(what.strip());
        ObjectNode answer = JSON.createObjectNode().put("status", 200);
        switch (what.strip()) {
            case "notification register" -> answer.putObject("value").put("id", "client-1").putObject("backend")
                    .putObject("pull").put("store", "jolokia:type=NotificationStore");
            case "notification add" -> answer.put("value", "handle-1");
            case "exec pull" -> pull(answer);
            case "read renumber:type=AddressChange,id=" + ID -> answer.putObject("value").put("State", state)
                    .put("InterfaceName", "v0").put("OldAddress", "10.9.0.1/24").put("NewAddress", "10.9.1.1/24")
                    .put("Outcome", state.equals("COMPLETED") ? "DRAINED" : "").put("Error", "");
            default -> answer.putNull("value");
        }
        byte[] body = JSON.writeValueAsBytes(answer);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private void pull(ObjectNode answer) {
        int number = pulls.incrementAndGet();
        if (completingPull < 0) {
            answer.put("status", 404).put("error", "java.lang.IllegalArgumentException : No client client-1 registered");
            state = "COMPLETED";
            return;
        }
        var notifications = answer.putObject("value").put("dropped", 0).putArray("notifications");
        if (number == 2) {
            notifications.addObject().put("type", "renumber.change.started").putObject("userData")
                    .put("changeId", "chg-ffff0000");
        }
        if (number == completingPull) {
            state = "COMPLETED";
            notifications.addObject().put("type", "renumber.change.completed").putObject("userData")
                    .put("changeId", ID);
        }
    }

    private int follow(ByteArrayOutputStream out) throws InterruptedException {
        JolokiaConnection agent = new JolokiaConnection(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/jolokia"), "renumber", "secret", "test");
        return new ChangeFollower(agent, ID, new PrintStream(out, true, StandardCharsets.UTF_8), null, false).follow();
    }

    private long count(String request) {
        return requests.stream().filter(request::equals).count();
    }

    @Test
    void readsTheChangeOnlyWhenOneOfItsNotificationsArrivesAndUnregistersAtTheEnd() throws Exception {
        completingPull = 6;
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int exit = follow(out);

        assertEquals(0, exit, out::toString);
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("ADDING +adding 10.9.1.1/24")
                .containsPattern("COMPLETED +outcome DRAINED");
        assertThat(requests).startsWith("notification register", "notification add");
        assertThat(count("exec pull")).isEqualTo(6);
        // once at the start, once for the completed notification; another change's notification reads nothing
        assertThat(count("read renumber:type=AddressChange,id=" + ID)).isEqualTo(2);
        assertThat(requests).endsWith("notification unregister");
    }

    @Test
    void aFailedPullFallsBackToTheSafetyNetAndStillUnregisters() throws Exception {
        completingPull = -1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int exit = follow(out);

        assertEquals(0, exit, out::toString);
        assertThat(out.toString(StandardCharsets.UTF_8)).containsPattern("COMPLETED +outcome DRAINED");
        assertThat(count("exec pull")).isEqualTo(1);
        assertThat(count("notification unregister")).isEqualTo(1);
        assertThat(count("read renumber:type=AddressChange,id=" + ID)).isEqualTo(2);
    }
}
