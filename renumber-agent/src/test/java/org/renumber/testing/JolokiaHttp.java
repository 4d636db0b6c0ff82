package org.renumber.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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

/** Raw Jolokia HTTP/JSON, as an O&M script with curl would speak it: POST requests, notifications in pull mode. */
public final class JolokiaHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final String authorization;
    private final HttpClient http = HttpClient.newHttpClient();
    private String client;
    private String store;

    public JolokiaHttp(URI url, String user, String password) {
        this.url = url;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public JsonNode post(Map<String, ?> request) throws IOException, InterruptedException {
        return JSON.readTree(send(request).body());
    }

    /** The HTTP status of a POST, for checks that must not depend on the body (e.g. 401). */
    public int postStatus(Map<String, ?> request) throws IOException, InterruptedException {
        return send(request).statusCode();
    }

    private HttpResponse<String> send(Map<String, ?> request) throws IOException, InterruptedException {
        HttpRequest built = HttpRequest.newBuilder(url)
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(new HashMap<>(request))))
                .build();
        return http.send(built, HttpResponse.BodyHandlers.ofString());
    }

    public JsonNode exec(String mbean, String operation, Object... arguments) throws IOException, InterruptedException {
        return post(Map.of("type", "exec", "mbean", mbean, "operation", operation, "arguments", List.of(arguments)));
    }

    /** Registers this client for notifications (pull mode) and listens to {@code mbean}; returns the handle. */
    public String listen(String mbean) throws IOException, InterruptedException {
        if (client == null) {
            JsonNode registered = post(Map.of("type", "notification", "command", "register"));
            client = registered.path("value").path("id").asText();
            store = registered.path("value").path("backend").path("pull").path("store").asText();
        }
        JsonNode added = post(Map.of("type", "notification", "command", "add", "client", client,
                "mode", "pull", "mbean", mbean));
        if (added.path("status").asInt() != 200) {
            throw new IOException("notification add failed: " + added);
        }
        return added.path("value").asText();
    }

    /** Notifications received for {@code handle} since the last pull. */
    public List<JsonNode> pull(String handle) throws IOException, InterruptedException {
        JsonNode pulled = exec(store, "pull", client, handle);
        if (pulled.path("status").asInt() != 200) {
            throw new IOException("pull failed: " + pulled);
        }
        List<JsonNode> notifications = new ArrayList<>();
        pulled.path("value").path("notifications").forEach(notifications::add);
        return notifications;
    }
}
