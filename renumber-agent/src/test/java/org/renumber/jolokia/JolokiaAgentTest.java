package org.renumber.jolokia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.jolokia.client.JolokiaClient;
import org.jolokia.client.JolokiaClientBuilder;
import org.jolokia.client.exception.JolokiaRemoteException;
import org.jolokia.client.request.JolokiaExecRequest;
import org.jolokia.client.request.JolokiaReadRequest;
import org.jolokia.client.response.JolokiaExecResponse;
import org.jolokia.client.response.JolokiaReadResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.jmx.JmxAdapter;
import org.renumber.api.MBeanNames;
import org.renumber.jmx.ServiceFixture;
import org.renumber.security.Credentials;

/** Jolokia's own Java client and raw HTTP against the embedded agent, on the platform MBeanServer. */
class JolokiaAgentTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Credentials credentials = new Credentials("operator", "pw-" + System.nanoTime());
    private final HttpClient http = HttpClient.newHttpClient();
    private final ServiceFixture fixture = new ServiceFixture();
    private JmxAdapter adapter;
    private JolokiaAgent agent;

    @BeforeEach
    void start() throws Exception {
        adapter = JmxAdapter.export(ManagementFactory.getPlatformMBeanServer(), fixture.service, fixture.tracker, fixture.sockets);
        fixture.start();
        agent = JolokiaAgent.start(Map.of("port", "0"), credentials);
    }

    @AfterEach
    void stop() {
        agent.close();
        adapter.close();
        fixture.close();
    }

    @Test
    void listensOnLoopbackAtTheDocumentedContext() {
        assertThat(agent.url().toString()).matches("http://127\\.0\\.0\\.1:\\d+/jolokia");
        assertThat(agent.address().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void javaClientReadsAttributesAndRunsAChange() throws Exception {
        try (JolokiaClient client = new JolokiaClientBuilder().url(agent.url())
                .user(credentials.user()).password(credentials.password()).build()) {
            JolokiaExecResponse subscribed = client.execute(
                    new JolokiaExecRequest(MBeanNames.SERVICE, "subscribe", "app1", "web", ""));
            assertThat((String) subscribed.getValue()).isEqualTo("renumber:type=Subscription,id=app1");
            JolokiaReadResponse subscribers = client.execute(new JolokiaReadRequest(MBeanNames.SERVICE, "Subscribers"));
            assertThat((List<Object>) subscribers.getValue()).containsExactly("app1 group=web scope=(all)");

            String id = client.<JolokiaExecResponse, JolokiaExecRequest>execute(new JolokiaExecRequest(
                    MBeanNames.SERVICE, "changeAddress", "v0", "10.9.0.1", "10.9.1.1/24", "", 60)).getValue();
            String state = client.<JolokiaExecResponse, JolokiaExecRequest>execute(
                    new JolokiaExecRequest(MBeanNames.SERVICE, "awaitChange", id, 10)).getValue();
            assertThat(state).isEqualTo("COMPLETED");
            JolokiaReadResponse outcome = client.execute(new JolokiaReadRequest(MBeanNames.change(id), "Outcome"));
            assertThat((String) outcome.getValue()).isEqualTo("DRAINED");
            assertThat(fixture.network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.1.1/24");
        }
    }

    @Test
    void badInputComesBackWithTheServiceMessage() throws Exception {
        try (JolokiaClient client = new JolokiaClientBuilder().url(agent.url())
                .user(credentials.user()).password(credentials.password()).build()) {
            JolokiaRemoteException error = assertThrows(JolokiaRemoteException.class, () -> client.execute(
                    new JolokiaExecRequest(MBeanNames.SERVICE, "changeAddress", "nope0", "10.9.0.1", "10.9.1.1", "",
                            60)));
            assertThat(error.getMessage()).contains("unknown interface 'nope0'");
        }
        JsonNode raw = post(Map.of("type", "exec", "mbean", MBeanNames.CONNECTION_TRACKER.toString(),
                "operation", "countConnections", "arguments", List.of("10.1")));
        assertThat(raw.path("status").asInt()).isEqualTo(500);
        assertThat(raw.path("error").asText()).contains("'10.1' is not a valid IP address");
    }

    @Test
    void notificationsArriveThroughPullMode() throws Exception {
        fixture.service.subscribers().subscribe("app1", "web", "");
        fixture.service.subscribers().subscribe("app2", "db", "");

        JsonNode registered = post(Map.of("type", "notification", "command", "register"));
        String client = registered.path("value").path("id").asText();
        String store = registered.path("value").path("backend").path("pull").path("store").asText();
        assertThat(store).startsWith("jolokia:type=NotificationStore");
        String app1 = add(client, "renumber:type=Subscription,id=app1");
        String app2 = add(client, "renumber:type=Subscription,id=app2");

        String id = fixture.service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "app1", 60);
        fixture.service.awaitChange(id, 10);

        List<JsonNode> received = new ArrayList<>();
        await().until(() -> {
            pull(store, client, app1).forEach(received::add);
            return received.size() >= 3;
        });
        assertThat(received).extracting(n -> n.path("type").asText()).containsExactly(
                "renumber.change.started", "renumber.change.drained", "renumber.change.completed");
        JsonNode userData = received.get(0).path("userData");
        assertThat(userData.path("changeId").asText()).isEqualTo(id);
        assertThat(userData.path("interfaceName").asText()).isEqualTo("v0");
        assertThat(userData.path("oldAddress").asText()).isEqualTo("10.9.0.1/24");
        assertThat(userData.path("newAddress").asText()).isEqualTo("10.9.1.1/24");
        assertThat(userData.path("state").asText()).isEqualTo("DRAINING");
        assertThat(userData.path("remainingConnections").asInt()).isZero();
        assertThat(pull(store, client, app2)).isEmpty();
    }

    @Test
    void everyPathDemandsCredentialsForGetAndPost() throws Exception {
        List<String> paths = List.of("/", "/jolokia", "/jolokia/", "/jolokia/version", "/jolokia/config",
                "/jolokia/config/", "/jolokia/configx", "/jolokia/list", "/jolokia/read/java.lang:type=Memory/HeapMemoryUsage",
                "/jolokia/exec/java.lang:type=Memory/gc", "/jolokia/search/*:*", "/jolokiax", "/other", "/metrics",
                "/jolokia/notification");
        String body = JSON.writeValueAsString(Map.of("type", "read", "mbean", "java.lang:type=Runtime",
                "attribute", "VmName"));
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/other").statusCode()).isEqualTo(404);
        assertThat(get("/jolokia/version").statusCode()).isEqualTo(200);
        String wrong = "Basic " + Base64.getEncoder().encodeToString(
                (credentials.user() + ":wrong").getBytes(StandardCharsets.UTF_8));
        for (String path : paths) {
            URI uri = URI.create("http://127.0.0.1:" + agent.address().getPort() + path);
            HttpRequest.BodyPublisher json = HttpRequest.BodyPublishers.ofString(body);
            for (HttpRequest.Builder request : List.of(HttpRequest.newBuilder(uri).GET(),
                    HttpRequest.newBuilder(uri).POST(json),
                    HttpRequest.newBuilder(uri).GET().header("Authorization", wrong),
                    HttpRequest.newBuilder(uri).POST(json).header("Authorization", wrong))) {
                HttpRequest built = request.build();
                HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
                // After five wrong passwords the client must wait (LoginBackoff): 429 and Retry-After instead.
                if (response.statusCode() == 429) {
                    assertThat(response.headers().firstValue("Retry-After")).isPresent();
                    continue;
                }
                assertThat(response.statusCode()).as(built.method() + " " + path + " " + built.headers().map())
                        .isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                        value -> assertThat(value).startsWith("Basic realm="));
            }
        }
    }

    @Test
    void policyAllowsRenumberAndReadingJavaLangOnly() throws Exception {
        assertThat(post(Map.of("type", "read", "mbean", "java.lang:type=Memory", "attribute", "HeapMemoryUsage"))
                .path("status").asInt()).isEqualTo(200);
        assertThat(post(Map.of("type", "read", "mbean", "java.lang:type=Threading")).path("status").asInt())
                .isEqualTo(200);
        assertThat(post(Map.of("type", "read", "mbean", MBeanNames.SERVICE.toString(), "attribute", "SubscriberCount"))
                .path("status").asInt()).isEqualTo(200);

        List<Map<String, Object>> denied = List.of(
                Map.of("type", "exec", "mbean", "java.lang:type=Memory", "operation", "gc"),
                Map.of("type", "write", "mbean", "java.lang:type=Memory", "attribute", "Verbose", "value", true),
                Map.of("type", "exec", "mbean", "java.lang:type=Threading", "operation", "dumpAllThreads",
                        "arguments", List.of(false, false)),
                Map.of("type", "exec", "mbean", "com.sun.management:type=DiagnosticCommand", "operation", "vmFlags",
                        "arguments", List.of(List.of())),
                Map.of("type", "read", "mbean", "com.sun.management:type=HotSpotDiagnostic",
                        "attribute", "DiagnosticOptions"),
                Map.of("type", "exec", "mbean", "com.sun.management:type=HotSpotDiagnostic", "operation", "dumpHeap",
                        "arguments", List.of("/tmp/renumber-should-not-exist.hprof", true)),
                Map.of("type", "read", "mbean", "java.util.logging:type=Logging", "attribute", "LoggerNames"),
                Map.of("type", "exec", "mbean", "java.util.logging:type=Logging", "operation", "setLoggerLevel",
                        "arguments", List.of("", "OFF")),
                Map.of("type", "read", "mbean", "JMImplementation:type=MBeanServerDelegate"));
        for (Map<String, Object> request : denied) {
            JsonNode response = post(request);
            assertThat(response.path("status").asInt()).as(request.toString()).isEqualTo(403);
            assertThat(response.path("error").asText()).as(request.toString()).contains("forbidden");
        }
    }

    @Test
    void discoveryAndTheJsr160ProxyAreOff() throws Exception {
        ObjectName discovery = new ObjectName("jolokia:type=Discovery,*");
        assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(discovery, null)).isEmpty();
        JsonNode version = post(Map.of("type", "version"));
        assertThat(version.path("value").path("config").path("discoveryEnabled").asText()).isEqualTo("false");
        assertThat(version.path("value").path("info").has("proxy")).isFalse();

        // With the proxy on, this request would try to connect to port 1 and fail with "Failed to retrieve
        // RMIServer stub"; without it, the target is ignored and the agent answers for its own JVM.
        JsonNode proxied = post(Map.of("type", "read", "mbean", "java.lang:type=Runtime", "attribute", "VmName",
                "target", Map.of("url", "service:jmx:rmi:///jndi/rmi://127.0.0.1:1/jmxrmi")));
        assertThat(proxied.path("error").asText()).doesNotContain("RMIServer");
        assertThat(proxied.path("value").asText()).isEqualTo(ManagementFactory.getRuntimeMXBean().getVmName());
    }

    @Test
    void unsafeSettingsAreRefusedAtStart() {
        for (Map<String, String> unsafe : List.of(Map.of("port", "0", "discoveryEnabled", "true"),
                Map.of("port", "0", "discoveryAgentUrl", "http://example.invalid/jolokia"),
                Map.of("port", "0", "protocol", "https"),
                Map.of("port", "0", "authMode", "jaas"))) {
            assertThrows(IllegalArgumentException.class, () -> JolokiaAgent.start(unsafe, credentials).close(),
                    unsafe.toString());
        }
        IOException missingPolicy = assertThrows(IOException.class, () -> JolokiaAgent.start(
                Map.of("port", "0", "policyLocation", "classpath:/no-such-policy.xml"), credentials).close());
        assertThat(missingPolicy.getMessage()).contains("no-such-policy.xml");
    }

    private String add(String client, String mbean) throws Exception {
        JsonNode added = post(Map.of("type", "notification", "command", "add", "client", client, "mode", "pull",
                "mbean", mbean));
        assertThat(added.path("status").asInt()).as(added.toString()).isEqualTo(200);
        return added.path("value").asText();
    }

    private List<JsonNode> pull(String store, String client, String handle) throws Exception {
        JsonNode pulled = post(Map.of("type", "exec", "mbean", store, "operation", "pull",
                "arguments", List.of(client, handle)));
        assertThat(pulled.path("status").asInt()).as(pulled.toString()).isEqualTo(200);
        List<JsonNode> notifications = new ArrayList<>();
        pulled.path("value").path("notifications").forEach(notifications::add);
        return notifications;
    }

    private JsonNode post(Map<String, ?> request) throws Exception {
        HttpRequest built = HttpRequest.newBuilder(agent.url())
                .header("Authorization", basic())
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(new HashMap<>(request))))
                .build();
        return JSON.readTree(http.send(built, HttpResponse.BodyHandlers.ofString()).body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.address().getPort() + path))
                .header("Authorization", basic()).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString(
                (credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
    }
}
