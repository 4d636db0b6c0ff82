package org.renumber.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The reactions through the real agent: in one throw-away namespace, the agent process ({@code target/renumber.jar})
 * moves the address under a real Jetty server ({@code JettyRebinder}) and a real JDK server
 * ({@code JdkHttpServerRebinder}), both the packaged example service, while real OkHttp, Apache HttpClient 5 and
 * {@code java.net.http} clients with their eviction reactions keep sending GET and POST requests to the service's
 * name ({@link ReactionClients}, a process in a client namespace across a veth link). No request may fail, every client must reach
 * the new address, and the change must end DRAINED. A few seconds of load; one namespace for the class.
 */
@Tag("kernel")
class ReactionsThroughAgentIT {

    private static final int JETTY_PORT = 8080;
    private static final int JDK_PORT = 8081;

    private static AgentNamespace namespace;

    @BeforeAll
    static void startAgentAndServers() throws Exception {
        namespace = new AgentNamespace();
        try {
            namespace.start();
            namespace.startExample("jetty", JETTY_PORT);
            namespace.startExample("jdk", JDK_PORT);
        } catch (Exception | Error e) {
            String logs = namespace.logs();
            namespace.close();
            throw new AssertionError("setup failed: " + e + "\n" + logs, e);
        }
    }

    @AfterAll
    static void removeNamespace() throws Exception {
        if (namespace != null) {
            namespace.close();
        }
    }

    @Test
    void realClientsWithTheirReactionsSeeNoFailedRequestWhileTheAgentMovesRealJettyAndJdkServers() throws Exception {
        Path stop = namespace.work.resolve("stop");
        List<String> command = new ArrayList<>(List.of("java", "-Xmx192m",
                "-Djdk.net.hosts.file=" + namespace.hosts,
                // Java 17's HttpClient cannot be closed: its idle connections must not outlive the drain (README).
                "-Djdk.httpclient.keepalive.timeout=5",
                "-cp", AgentNamespace.testClassPath(), ReactionClients.class.getName(), namespace.appJmxUrl,
                namespace.user, namespace.passwordFile.toString(), namespace.hosts.toString(), stop.toString(),
                AgentNamespace.B, "/run/netns/" + namespace.netns));
        for (int port : new int[] {JETTY_PORT, JDK_PORT}) {
            command.add("http://" + AgentNamespace.NAME + ":" + port + "/");
        }
        Path clients = namespace.startInClientNamespace("clients", command);
        AgentNamespace.awaitLine(clients, Pattern.compile("^(READY)"), Duration.ofSeconds(120));

        String outcome = namespace.change(AgentNamespace.A, AgentNamespace.B);
        // Load on the new address for a moment before the clients stop.
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
        Files.createFile(stop);
        AgentNamespace.awaitLine(clients, Pattern.compile("^(DONE)"), Duration.ofSeconds(60));

        String logs = namespace.logs();
        List<String> results = Files.readAllLines(clients).stream().filter(l -> l.startsWith("RESULT ")).toList();
        results.forEach(System.out::println);
        System.out.println("change outcome: " + outcome);
        assertThat(results).as(logs).hasSize(6);
        for (String result : results) {
            // RESULT client url ok failed fromNew firstError
            String[] f = result.split(" ", 7);
            assertThat(Long.parseLong(f[4])).as("failed requests: " + result + "\n" + logs).isZero();
            assertThat(Long.parseLong(f[3])).as("answered requests: " + result).isPositive();
            assertThat(Long.parseLong(f[5])).as("answers from the new address: " + result).isPositive();
        }
        assertThat(outcome).as("the change's outcome\n" + logs).isEqualTo("DRAINED");
    }
}
