package org.renumber.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent as the {@code renumber} command reaches it: Jolokia's JSON protocol over HTTP (POST), with basic
 * authentication, through the JDK's HTTP client. Every failure becomes a {@link CliFailure}: the agent not
 * answering or refusing the login (exit 1), or refusing the request (exit 2, with the agent's own message).
 */
final class JolokiaConnection {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Longer than any operation the command calls blocks (cancelChange waits up to 30 s). */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI url;
    private final String user;
    private final String authorization;
    private final String credentialsSource;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    JolokiaConnection(URI url, String user, String password, String credentialsSource) {
        this.url = url;
        this.user = user;
        this.credentialsSource = credentialsSource;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    URI url() {
        return url;
    }

    /** Calls an operation and returns its value. */
    JsonNode exec(String mbean, String operation, Object... arguments) {
        return value(request("type", "exec", "mbean", mbean, "operation", operation, "arguments",
                Arrays.asList(arguments)));
    }

    /** Reads every attribute of an MBean, as one JSON object. */
    JsonNode read(String mbean) {
        return value(request("type", "read", "mbean", mbean));
    }

    JsonNode read(String mbean, String attribute) {
        return value(request("type", "read", "mbean", mbean, "attribute", attribute));
    }

    /** Registers for notifications in pull mode: the client id and the store MBean to pull from. */
    String[] registerForNotifications() {
        JsonNode registered = value(request("type", "notification", "command", "register"));
        return new String[] {registered.path("id").asText(),
                registered.path("backend").path("pull").path("store").asText()};
    }

    /** Adds a listener on {@code mbean} for the registered {@code client}; returns its handle. */
    String listen(String client, String mbean) {
        return value(request("type", "notification", "command", "add", "client", client, "mode", "pull",
                "mbean", mbean)).asText();
    }

    /** Adds a listener that hears only the given notification types. */
    String listen(String client, String mbean, List<String> types) {
        return value(request("type", "notification", "command", "add", "client", client, "mode", "pull",
                "mbean", mbean, "filter", types)).asText();
    }

    /** Tells the agent the client is still there (Jolokia expires clients it has not heard from). */
    void ping(String client) {
        value(request("type", "notification", "command", "ping", "client", client));
    }

    void unregister(String client) {
        value(request("type", "notification", "command", "unregister", "client", client));
    }

    private static Map<String, Object> request(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private JsonNode value(Map<String, Object> request) {
        JsonNode answer = post(request);
        int status = answer.path("status").asInt();
        if (status == 200) {
            return answer.path("value");
        }
        if (status == 401 || status == 403) {
            throw refusedLogin();
        }
        throw new CliFailure(CliFailure.REFUSED, agentMessage(answer));
    }

    /**
     * The exception's own message: Jolokia reports {@code java.lang.IllegalArgumentException : MESSAGE} (and JMX
     * may wrap it once more), while the operator needs MESSAGE, which the agent words for people.
     */
    static String agentMessage(JsonNode answer) {
        String error = answer.path("error").asText("the agent refused the request");
        int separator = error.lastIndexOf("Exception : ");
        String message = separator < 0 ? error : error.substring(separator + "Exception : ".length());
        return message.isBlank() ? error : message.strip();
    }

    private JsonNode post(Map<String, Object> request) {
        HttpResponse<String> response;
        try {
            HttpRequest built = HttpRequest.newBuilder(url).timeout(REQUEST_TIMEOUT)
                    .header("Authorization", authorization)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                    .build();
            response = http.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw unreachable("nothing answers there (is the agent running? systemctl status renumber)");
        } catch (HttpTimeoutException e) {
            throw unreachable("it did not answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unreachable("interrupted");
        } catch (IllegalArgumentException e) {
            throw new CliFailure(CliFailure.UNREACHABLE, "--url " + url + " is not an HTTP URL: " + e.getMessage());
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw refusedLogin();
        }
        try {
            JsonNode answer = JSON.readTree(response.body());
            if (answer == null || !answer.isObject()) {
                throw new IOException("not a JSON object");
            }
            return answer;
        } catch (IOException e) {
            throw unreachable("it answered HTTP " + response.statusCode() + " with something that is not Jolokia's "
                    + "JSON (is --url the agent's Jolokia URL, ending in /jolokia?)");
        }
    }

    private CliFailure unreachable(String why) {
        return new CliFailure(CliFailure.UNREACHABLE, "Cannot reach the Renumber agent at " + url + ": " + why + ".");
    }

    private CliFailure refusedLogin() {
        return new CliFailure(CliFailure.UNREACHABLE, "The agent at " + url + " refused the login of user '" + user
                + "' (credentials from " + credentialsSource + ").");
    }

    /** Jolokia's JSON of a list of strings, as Java strings. */
    static List<String> strings(JsonNode array) {
        List<String> list = new java.util.ArrayList<>();
        array.forEach(item -> list.add(item.asText()));
        return list;
    }
}
