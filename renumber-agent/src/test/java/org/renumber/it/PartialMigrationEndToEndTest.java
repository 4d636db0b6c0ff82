package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import javax.management.Attribute;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * Two applications (two server JVMs on different ports) share 10.9.0.1, each subscribed with its own PID; only one is
 * migrated. On the real kernel: the other's connections are untouched and keep working, the old address stays, and
 * the change completes when the migrated application's connections close although the other's remain.
 */
@KernelTest
class PartialMigrationEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String TRACKER = "renumber:type=ConnectionTracker";
    private static final String OLD = "10.9.0.1";
    private static final String NEW = "10.9.0.7";

    private AgentFixture fixture;

    @BeforeEach
    void startAgent() {
        fixture = new AgentFixture("rn-it-mig-");
    }

    @AfterEach
    void stopEverything() throws Exception {
        fixture.close();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return fixture.keep(resource);
    }

    private NetNsPeer server(RemoteJmx jmx, String subscriberId, int port) throws Exception {
        NetNsPeer server = keep(NetNsPeer.start(fixture.net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD,
                String.valueOf(port)));
        jmx.invoke(SERVICE, "subscribe", subscriberId, "", "");
        jmx.connection().setAttribute(new ObjectName("renumber:type=Subscription,id=" + subscriberId),
                new Attribute("Pid", server.pid()));
        return server;
    }

    private NetNsPeer clients(int port, int count) throws Exception {
        return keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD,
                String.valueOf(port), String.valueOf(count)));
    }

    @Test
    void onlyTheMigratedApplicationsConnectionsAreWaitedForAndTheOldAddressStays() throws Exception {
        RemoteJmx jmx = keep(fixture.jmx());
        NetNsPeer billing = server(jmx, "billing", 7201);
        NetNsPeer shop = server(jmx, "shop", 7202);
        NetNsPeer billingClients = clients(7201, 2);
        NetNsPeer shopClients = clients(7202, 3);
        await().until(() -> (Integer) jmx.invoke(TRACKER, "countConnections", OLD) == 5);
        assertThat((String[]) jmx.invoke(TRACKER, "holders", OLD)).containsExactlyInAnyOrder(
                billing.pid() + " " + command(billing.pid()) + ": 2 connections, 1 listener",
                shop.pid() + " " + command(shop.pid()) + ": 3 connections, 1 listener");
        RemoteJmx.Recorder shopEvents = jmx.listen("renumber:type=Subscription,id=shop");
        RemoteJmx.Recorder billingEvents = jmx.listen("renumber:type=Subscription,id=billing");

        String id = (String) jmx.invoke(SERVICE, "migrateSubscribers", "v0", OLD, NEW + "/24", "billing", 120L);
        String change = "renumber:type=AddressChange,id=" + id;

        await().until(() -> "DRAINING".equals(jmx.get(change, "State"))
                && (Integer) jmx.get(change, "RemainingConnections") == 2);
        assertEquals("MIGRATION", jmx.get(change, "Kind"));
        assertEquals(true, jmx.get(change, "OldAddressKept"));
        assertThat((String[]) jmx.get(change, "Holders")).anySatisfy(
                line -> assertThat(line).startsWith(billing.pid() + " ").endsWith(": 2 connections, 1 listener"));
        await().until(() -> billingEvents.types().contains("renumber.change.started"));
        assertEquals(true, billingEvents.data("renumber.change.started").get("oldAddressKept"));
        assertThat(billingEvents.all()).anySatisfy(n -> assertThat(n.getMessage()).contains("stays configured"));

        billingClients.ask("close"); // the migrated application's clients go; the shop's stay

        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertEquals("DRAINED", jmx.get(change, "Outcome"));
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(OLD + "/24", NEW + "/24");
        assertEquals("PONG ok", shopClients.ask("ping"), "the other application's connections still work");
        assertEquals(3, (Integer) jmx.invoke(TRACKER, "countConnections", OLD));
        assertThat(shopEvents.types()).isEmpty();
        assertThat(billingEvents.types()).containsSubsequence("renumber.change.started", "renumber.change.drained",
                "renumber.change.completed");
        // New connections to the shop on the old address still work, and nothing steered its traffic away.
        NetNsPeer lateShopClient = clients(7202, 1);
        assertEquals("PONG ok", lateShopClient.ask("ping"));
        assertThat(fixture.net.routeSource(fixture.net.a(), "10.9.0.2")).isEqualTo(OLD);
    }

    @Test
    void aScheduledMigrationWarnsOnlyTheTargetAndStartsWhenItSaysItIsReady() throws Exception {
        RemoteJmx jmx = keep(fixture.jmx());
        server(jmx, "billing", 7211);
        server(jmx, "shop", 7212);
        NetNsPeer billingClients = clients(7211, 1);
        NetNsPeer shopClients = clients(7212, 1);
        await().until(() -> (Integer) jmx.invoke(TRACKER, "countConnections", OLD) == 2);
        RemoteJmx.Recorder shopEvents = jmx.listen("renumber:type=Subscription,id=shop");
        RemoteJmx.Recorder billingEvents = jmx.listen("renumber:type=Subscription,id=billing");

        String id = (String) jmx.invoke(SERVICE, "scheduleMigration", "v0", OLD, NEW + "/24", "billing", 120L,
                3600L);
        String change = "renumber:type=AddressChange,id=" + id;

        await().until(() -> billingEvents.types().contains("renumber.change.warning"));
        assertEquals("WARNING", jmx.get(change, "State"));
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(OLD + "/24").doesNotContain(NEW + "/24");
        assertEquals(true, billingEvents.data("renumber.change.warning").get("oldAddressKept"));

        jmx.invoke("renumber:type=Subscription,id=billing", "ready", id);

        await().until(() -> "DRAINING".equals(jmx.get(change, "State")));
        assertEquals("ALL_TARGETS_READY", jmx.get(change, "StartReason"));
        billingClients.ask("close");
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(OLD + "/24", NEW + "/24");
        assertEquals("PONG ok", shopClients.ask("ping"), "the other application's connection still works");
        assertThat(shopEvents.types()).isEmpty();
        assertThat(billingEvents.types()).containsSubsequence("renumber.change.warning", "renumber.change.started",
                "renumber.change.drained", "renumber.change.completed");
    }

    private static String command(long pid) throws Exception {
        String line = new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/" + pid + "/cmdline")),
                java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').strip();
        return line.length() > 120 ? line.substring(0, 117) + "..." : line;
    }
}
