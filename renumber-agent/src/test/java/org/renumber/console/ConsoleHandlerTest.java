package org.renumber.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.jmx.JmxAdapter;
import org.renumber.jmx.ServiceFixture;
import org.renumber.jolokia.JolokiaAgent;
import org.renumber.security.Credentials;

/** The console as the embedded Jolokia agent serves it, asked over real HTTP as a browser and as curl would. */
class ConsoleHandlerTest {

    private static final String SUBSCRIBE = "{\"type\":\"exec\",\"mbean\":\"renumber:type=AddressChangeService\","
            + "\"operation\":\"subscribe\",\"arguments\":[\"%s\",\"\",\"\"]}";

    private final Credentials credentials = new Credentials("operator", "pw-" + System.nanoTime());
    private final HttpClient http = HttpClient.newHttpClient();
    private final ServiceFixture fixture = new ServiceFixture();
    private JmxAdapter adapter;
    private JolokiaAgent agent;
    private String origin;

    @BeforeEach
    void start() throws Exception {
        adapter = JmxAdapter.export(ManagementFactory.getPlatformMBeanServer(), fixture.service, fixture.tracker,
                fixture.sockets);
        fixture.start();
        agent = JolokiaAgent.start(Map.of("port", "0"), credentials);
        origin = "http://127.0.0.1:" + agent.address().getPort();
    }

    @AfterEach
    void stop() {
        agent.close();
        adapter.close();
        fixture.close();
    }

    private HttpRequest.Builder request(String path, boolean loggedIn) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(origin + path));
        if (loggedIn) {
            builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (credentials.user() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8)));
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> subscribe(String id, String... headers) throws Exception {
        HttpRequest.Builder post = request("/jolokia", true).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(SUBSCRIBE.formatted(id)));
        for (int i = 0; i < headers.length; i += 2) {
            post.header(headers[i], headers[i + 1]);
        }
        return send(post);
    }

    @Test
    void everyConsolePathAsksAnonymousRequestsToLogIn() throws Exception {
        List<String> paths = new ArrayList<>(List.of("/console", "/console/", "/console/missing.js"));
        ConsoleHandler.ASSETS.keySet().forEach(name -> paths.add("/console/" + name));
        for (String path : paths) {
            HttpResponse<String> response = send(request(path, false));
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(path).hasValueSatisfying(
                    value -> assertThat(value).startsWith("Basic realm="));
        }
        assertThat(send(request("/console/", false).POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                .isEqualTo(401);
    }

    @Test
    void thePageAndItsFilesComeWithAPolicyThatAllowsOnlyThemselves() throws Exception {
        HttpResponse<String> page = send(request("/console/", true));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.body()).contains("<meta name=\"renumber-jolokia\" content=\"/jolokia\">")
                .contains("<script type=\"module\" src=\"console.js\"></script>")
                .doesNotContain(ConsoleHandler.JOLOKIA_URL_PLACEHOLDER)
                .as("no inline script or style").doesNotContain("<script>", "<style", " style=", "onclick=");

        HttpResponse<String> script = send(request("/console/console.js", true));
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(script.body()).as("jolokia.js is bundled, no CDN").contains("Jolokia").doesNotContain("//cdn");
        assertThat(send(request("/console/console.css", true)).headers().firstValue("Content-Type"))
                .hasValue("text/css; charset=utf-8");
    }

    @Test
    void onlyTheConsoleFilesAreServedAndOnlyForReading() throws Exception {
        HttpResponse<String> bare = send(request("/console", true));
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("Location")).hasValue("/console/");
        assertThat(send(request("/console/missing.js", true)).statusCode()).isEqualTo(404);
        assertThat(send(request("/console/../console/index.html", true)).statusCode()).isIn(200, 404);
        assertThat(send(request("/console/%2e%2e/renumber-jolokia-access.xml", true)).statusCode()).isEqualTo(404);
        assertThat(send(request("/console/", true).POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                .isEqualTo(405);
    }

    @Test
    void aBrowserRequestFromAnotherOriginIsRefusedOnTheConsoleAndOnJolokia() throws Exception {
        HttpResponse<String> crossSite = send(request("/console/", true).header("Sec-Fetch-Site", "cross-site"));
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(crossSite.body()).contains("cross-origin request refused");
        // Another port on the same host is "same-site" for a browser, and within the policy's CORS origins.
        HttpResponse<String> sameSite = subscribe("from-another-page", "Sec-Fetch-Site", "same-site",
                "Origin", "http://127.0.0.1:1");
        assertThat(sameSite.statusCode()).isEqualTo(403);
        HttpResponse<String> otherOrigin = subscribe("from-an-old-browser", "Origin", "http://127.0.0.1:1");
        assertThat(otherOrigin.statusCode()).isEqualTo(403);
        assertThat(otherOrigin.body()).contains("cross-origin request refused", "http://127.0.0.1:1");
        HttpResponse<String> framed = send(request("/console/", true).header("Origin", "http://127.0.0.1:1"));
        assertThat(framed.statusCode()).isEqualTo(403);
        assertThat(framed.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(fixture.service.subscribers().all()).as("nothing was done for them").isEmpty();

        HttpResponse<String> sameOrigin = subscribe("console", "Sec-Fetch-Site", "same-origin", "Origin", origin);
        assertThat(sameOrigin.statusCode()).isEqualTo(200);
        assertThat(sameOrigin.body()).contains("\"status\":200");
        HttpResponse<String> curl = subscribe("script");
        assertThat(curl.body()).as("clients that are not browsers send neither header").contains("\"status\":200");
        assertThat(fixture.service.subscribers().all()).hasSize(2);
    }
}
