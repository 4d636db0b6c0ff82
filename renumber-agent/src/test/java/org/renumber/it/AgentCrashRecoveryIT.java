package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentProcess;
import org.renumber.testing.JolokiaHttp;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * The packaged agent, killed with SIGKILL in the middle of a drain and started again, finishes the change it
 * had accepted; the interface is never left without an address, and subscriptions survive.
 */
@KernelTest
class AgentCrashRecoveryIT {

    private static final String SERVICE = "renumber:type=AddressChangeService";

    private NetNsFixture net;
    private Path stateDir;
    private Path jolokiaConfig;

    @BeforeEach
    void createNetwork() throws Exception {
        net = NetNsFixture.create("rn-it-crash-");
        stateDir = Files.createTempDirectory("renumber-crash-state-");
        jolokiaConfig = Files.createTempFile("renumber-jolokia-", ".properties");
        Files.writeString(jolokiaConfig, "host=127.0.0.1\nport=0\nagentContext=/jolokia\n");
    }

    @AfterEach
    void deleteNetwork() throws Exception {
        net.close();
        try (var walk = Files.walk(stateDir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(jolokiaConfig);
    }

    private List<String> ipv4Addresses() {
        return net.addresses(net.a(), "v0").stream().filter(a -> !a.contains(":")).toList();
    }

    @Test
    void agentKilledWhileDrainingFinishesTheChangeAfterRestart() throws Exception {
        try (NetNsPeer server = NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", "10.9.0.1", "7000");
             NetNsPeer clients = NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any",
                     "10.9.0.1", "7000", "2")) {
            String id;
            try (AgentProcess agent = start()) {
                JolokiaHttp http = agent.jolokiaHttp();
                assertEquals(200, http.exec(SERVICE, "subscribe", "app", "web", "").path("status").asInt());
                JsonNode accepted = http.exec(SERVICE, "changeAddress", "v0", "10.9.0.1", "10.9.1.1/24", "", 300);
                assertEquals(200, accepted.path("status").asInt(), accepted.toString());
                id = accepted.path("value").asText();
                try (RemoteJmx jmx = agent.jmx()) {
                    await().until(() -> "DRAINING".equals(jmx.get("renumber:type=AddressChange,id=" + id, "State")));
                }
                agent.kill();
            }
            assertThat(ipv4Addresses()).as("a killed agent leaves both addresses, never neither")
                    .containsExactly("10.9.0.1/24", "10.9.1.1/24");

            try (AgentProcess agent = start(); RemoteJmx jmx = agent.jmx()) {
                assertThat(Arrays.asList((String[]) jmx.get(SERVICE, "Subscribers"))).anyMatch(s -> s.startsWith("app"));
                String change = "renumber:type=AddressChange,id=" + id;
                await().until(() -> "DRAINING".equals(jmx.get(change, "State")));
                RemoteJmx.Recorder app = jmx.listen("renumber:type=Subscription,id=app");
                assertEquals(2, jmx.get(change, "RemainingConnections"));
                assertEquals("PONG ok", clients.ask("ping"), "connections on the old address survived the crash");

                assertEquals("CLOSED", server.ask("close"));
                assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
                await().atMost(Duration.ofSeconds(10)).until(() -> app.types().contains("renumber.change.completed"));
                assertEquals("DRAINED", jmx.get(change, "Outcome"));
            }
            assertThat(ipv4Addresses()).containsExactly("10.9.1.1/24");
        }
    }

    @Test
    void packagedAgentDemandsCredentialsAndExecutesOperationsOverHttp() throws Exception {
        try (AgentProcess agent = start()) {
            String[] credentials = agent.credentials();
            JolokiaHttp wrong = new JolokiaHttp(agent.jolokiaUrl(), credentials[0], credentials[1] + "x");
            assertEquals(401, wrong.postStatus(Map.of("type", "version")));
            // exec through the jar: Jolokia's request handlers must survive packaging
            JsonNode subscribed = agent.jolokiaHttp().exec(SERVICE, "subscribe", "ops", "", "");
            assertEquals(200, subscribed.path("status").asInt(), subscribed.toString());
            JsonNode read = agent.jolokiaHttp().post(Map.of("type", "read", "mbean", SERVICE, "attribute", "Subscribers"));
            assertThat(read.path("value").toString()).contains("ops");
        }
    }

    private AgentProcess start() throws Exception {
        return AgentProcess.start(stateDir, "--netns", net.a(), "--jolokia-config", jolokiaConfig.toString());
    }
}
