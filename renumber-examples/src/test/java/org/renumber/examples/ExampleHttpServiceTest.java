package org.renumber.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.jdkhttpserver.JdkHttpServerRebinder;
import picocli.CommandLine;

/** The example's server on loopback with a real JDK HTTP client, and its command line's checks. */
class ExampleHttpServiceTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private Server server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = ExampleHttpService.server(ExampleHttpService.parseBind("127.0.0.2:0"));
        server.start();
        base = "http://127.0.0.2:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void getAnswers200NamingTheAddressPostCountsTheBodyAndStreamEnds() throws Exception {
        checkAnswers(base);
    }

    @Test
    void theJdkServerAnswersTheSame() throws Exception {
        try (JdkHttpServerRebinder jdk = JdkHttpServerRebinder.start(s -> s.createContext("/", new JdkExampleHandler()),
                new InetSocketAddress("127.0.0.2", 0))) {
            checkAnswers("http://127.0.0.2:" + jdk.addresses().get(0).getPort());
        }
    }

    private void checkAnswers(String base) throws Exception {
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, get.statusCode());
        assertEquals("hello from 127.0.0.2\n", get.body());

        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create(base + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1000))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, post.statusCode());
        assertEquals("received 1000 bytes\n", post.body());

        HttpResponse<String> stream = client.send(HttpRequest.newBuilder(URI.create(base + "/stream?seconds=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, stream.statusCode());
        assertThat(stream.body()).startsWith("tick 0\n").contains("tick 9\n").endsWith("done\n");

        assertEquals(404, client.send(HttpRequest.newBuilder(URI.create(base + "/nothing")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    void bindTakesAddressLiteralsOnlyAndSaysWhatIsAccepted() {
        assertEquals(new InetSocketAddress("2001:db8::1", 8080), ExampleHttpService.parseBind("[2001:db8::1]:8080"));
        assertThatThrownBy(() -> ExampleHttpService.parseBind("localhost:8080"))
                .hasMessageContaining("--bind 'localhost:8080'").hasMessageContaining("IPv4 literal");
        assertThatThrownBy(() -> ExampleHttpService.parseBind("10.0.0.1:70000")).hasMessageContaining("0-65535");
    }

    @Test
    void aMissingPasswordFileIsRefusedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        CommandLine line = new CommandLine(new ExampleHttpService());
        java.io.StringWriter err = new java.io.StringWriter();
        line.setErr(new java.io.PrintWriter(err));
        line.setExecutionExceptionHandler((e, failed, parsed) -> {
            failed.getErr().println(e.getMessage());
            return 2;
        });
        int code = line.execute("--bind", "127.0.0.2:0", "--jmx-url", "service:jmx:rmi:///jndi/rmi://127.0.0.1:1/jmxrmi",
                "--user", "renumber", "--password-file", dir.resolve("none").toString(), "--subscriber-id", "web");
        assertEquals(2, code);
        assertThat(err.toString()).contains("--password-file").contains("not a readable file");
        Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> ExampleHttpService.readPassword(dir.resolve("empty")))
                .hasMessageContaining("no password");
    }
}
