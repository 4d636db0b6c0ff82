package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.JvmProcess;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RebindingApp;
import org.renumber.testing.RemoteJmx;

/**
 * A Java application in its own JVM inside the managed namespace uses the client library: its listener moves to
 * the new address, its clients (another JVM in namespace B) reconnect there, the change drains and completes;
 * and the application keeps receiving changes across an agent restart.
 */
@KernelTest
class ClientLibraryEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = "10.9.0.1";
    /** In the old subnet, so namespace B reaches it without a route of its own, during and after the change. */
    private static final String NEW = "10.9.0.7";
    private static final String PORT = "7100";

    private AgentFixture fixture;

    @BeforeEach
    void startAgent() {
        fixture = new AgentFixture("rn-it-client-");
    }

    @AfterEach
    void stopEverything() throws Exception {
        fixture.close();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return fixture.keep(resource);
    }

    /** The application in namespace A, connected to the agent's JMX connector on A's loopback. */
    private JvmProcess application() throws Exception {
        JvmProcess app = keep(JvmProcess.start(fixture.net.a(), Map.of(
                        "RENUMBER_USER", fixture.agent().credentials().user(),
                        "RENUMBER_PASSWORD", fixture.agent().credentials().password()),
                RebindingApp.class, fixture.agent().netnsJmx().url().toString(), "billing", "web", OLD, PORT));
        await().atMost(Duration.ofSeconds(60)).until(() -> app.printed("READY") || !app.isAlive());
        assertThat(app.lines()).as("application output").contains("READY");
        return app;
    }

    @Test
    void theListenerMovesTheClientsReconnectToTheNewAddressAndTheChangeCompletes() throws Exception {
        JvmProcess app = application();
        RemoteJmx jmx = keep(fixture.jmx());
        assertEquals(app.pid(), jmx.get("renumber:type=Subscription,id=billing", "Pid"),
                "the client recorded the application's pid");
        NetNsPeer clients = keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any",
                OLD, PORT, "2"));
        assertEquals("PONG ok", clients.ask("ping"));
        await().until(() -> (Integer) jmx.invoke("renumber:type=ConnectionTracker", "countConnections", OLD) == 2);

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "group:web", 60L);

        await().until(() -> app.printed("LISTENING " + NEW + ":" + PORT));
        assertThat(app.lines()).contains("EVENT started " + id);
        // The application closed its idle connections on the old address; the clients reconnect to the new one.
        assertEquals("CONNECTED 2", clients.ask("reconnect " + NEW + " " + PORT));
        assertEquals("PONG ok", clients.ask("ping"));
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertEquals("DRAINED", jmx.get("renumber:type=AddressChange,id=" + id, "Outcome"));
        await().until(() -> app.printed("EVENT completed " + id));
        assertThat(app.lines()).containsSubsequence("EVENT started " + id, "EVENT drained " + id,
                "EVENT completed " + id);
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(NEW + "/24").doesNotContain(OLD + "/24");
        assertEquals("PONG ok", clients.ask("ping"), "the connections to the new address outlive the change");
    }

    @Test
    void anApplicationInItsOwnPidNamespaceIsKnownByItsHostPidAndCanBeMigratedAlone() throws Exception {
        JvmProcess app = keep(JvmProcess.startInOwnPidNamespace(fixture.net.a(), Map.of(
                        "RENUMBER_USER", fixture.agent().credentials().user(),
                        "RENUMBER_PASSWORD", fixture.agent().credentials().password()),
                RebindingApp.class, fixture.agent().netnsJmx().url().toString(), "billing", "web", OLD, PORT));
        await().atMost(Duration.ofSeconds(60)).until(() -> app.printed("READY") || !app.isAlive());
        assertThat(app.lines()).as("application output").contains("READY");
        long hostPid = app.javaPid();
        assertThat(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + hostPid + "/status")))
                .as("the JVM is process 1 of its own PID namespace").contains("NSpid:\t" + hostPid + "\t1");
        RemoteJmx jmx = keep(fixture.jmx());

        assertEquals(hostPid, jmx.get("renumber:type=Subscription,id=billing", "Pid"),
                "the application said 1; the agent recorded the id it sees the process by");

        NetNsPeer clients = keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any",
                OLD, PORT, "2"));
        await().until(() -> (Integer) jmx.invoke("renumber:type=ConnectionTracker", "countConnections", OLD) == 2);
        // Only a process the agent can find holds sockets it can follow: a migration waits for exactly these.
        String id = (String) jmx.invoke(SERVICE, "migrateSubscribers", "v0", OLD, NEW + "/24", "billing", 60L);
        await().until(() -> app.printed("LISTENING " + NEW + ":" + PORT));
        assertEquals("CONNECTED 2", clients.ask("reconnect " + NEW + " " + PORT));
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertEquals("DRAINED", jmx.get("renumber:type=AddressChange,id=" + id, "Outcome"));
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(OLD + "/24", NEW + "/24");
    }

    @Test
    void theApplicationSurvivesAnAgentRestartAndReceivesTheNextChange() throws Exception {
        JvmProcess app = application();

        fixture.stop();
        await().until(() -> app.printedStartingWith("DISCONNECTED"));
        fixture.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> app.printed("RECONNECTED"));

        RemoteJmx jmx = keep(fixture.jmx());
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "billing", 60L);
        await().until(() -> app.printed("LISTENING " + NEW + ":" + PORT));
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        await().until(() -> app.printed("EVENT completed " + id));
        NetNsPeer client = keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any",
                NEW, PORT, "1"));
        assertEquals("PONG ok", client.ask("ping"));
    }
}
