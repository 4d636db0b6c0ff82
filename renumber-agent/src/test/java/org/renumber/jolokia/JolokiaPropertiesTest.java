package org.renumber.jolokia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.security.Credentials;
import org.renumber.security.CredentialsStore;

class JolokiaPropertiesTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void theShippedPropertiesFileStartsAnAgentThatDemandsCredentials() throws Exception {
        Path shipped = Path.of("jolokia.properties");
        assertTrue(Files.exists(shipped), "no jolokia.properties in " + Path.of("").toAbsolutePath());
        Map<String, String> properties = new HashMap<>(JolokiaAgent.readProperties(shipped));
        properties.put("port", "0");
        Credentials credentials = CredentialsStore.load(properties, dir);
        try (JolokiaAgent agent = JolokiaAgent.start(properties, credentials)) {
            assertThat(agent.url().getHost()).isEqualTo("127.0.0.1");
            assertThat(status(agent.url().toString() + "/version", null)).isEqualTo(401);
            assertThat(status(agent.url().toString() + "/version", credentials)).isEqualTo(200);
        }
    }

    @Test
    void theConfiguredContextIsServedAndItsErrorsKeepTheirMessage() throws Exception {
        Path file = dir.resolve("jolokia.properties");
        Files.writeString(file, "port=0\nagentContext=/ops/\nallowErrorDetails=false\n");
        Credentials credentials = new Credentials("ops", "pw-" + System.nanoTime());
        try (JolokiaAgent agent = JolokiaAgent.start(JolokiaAgent.readProperties(file), credentials)) {
            String base = "http://127.0.0.1:" + agent.address().getPort();
            assertThat(agent.url().toString()).isEqualTo(base + "/ops");
            assertThat(status(base + "/ops/version", credentials)).isEqualTo(200);
            assertThat(status(base + "/ops/version", null)).isEqualTo(401);
            assertThat(status(base + "/jolokia/version", credentials)).isEqualTo(404);
            assertThat(body(base + "/ops/exec/java.lang:type=Memory/gc", credentials)).contains("forbidden");
        }
    }

    private int status(String url, Credentials credentials) throws Exception {
        return send(url, credentials).statusCode();
    }

    private String body(String url, Credentials credentials) throws Exception {
        return send(url, credentials).body();
    }

    private HttpResponse<String> send(String url, Credentials credentials) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
