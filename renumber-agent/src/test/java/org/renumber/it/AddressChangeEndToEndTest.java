package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.openmbean.CompositeData;
import org.jolokia.client.JolokiaClient;
import org.jolokia.client.JolokiaClientBuilder;
import org.jolokia.client.request.JolokiaExecRequest;
import org.jolokia.client.request.JolokiaReadRequest;
import org.jolokia.client.response.JolokiaExecResponse;
import org.jolokia.client.response.JolokiaReadResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.JolokiaHttp;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * The whole workflow on the real kernel: an agent managing namespace A, an application in a separate JVM
 * holding TCP connections on the old address (clients in namespace B), and operators/applications driving
 * it through JMX remote, Jolokia's Java client and raw Jolokia HTTP.
 */
@KernelTest
class AddressChangeEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String TRACKER = "renumber:type=ConnectionTracker";
    private static final String OLD = "10.9.0.1";
    private static final String NEW = "10.9.1.1/24";

    private AgentFixture fixture;
    private NetNsPeer clients;

    @BeforeEach
    void startAgent() {
        fixture = new AgentFixture("rn-it-e2e-");
    }

    @AfterEach
    void stopEverything() throws Exception {
        fixture.close();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return fixture.keep(resource);
    }

    /** An application in namespace A serving on the old address, with {@code count} clients from namespace B. */
    private NetNsPeer applicationWithConnections(int count) throws Exception {
        NetNsPeer server = keep(NetNsPeer.start(fixture.net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        clients = keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD, "7000",
                String.valueOf(count)));
        return server;
    }

    private List<String> ipv4Addresses() {
        return fixture.net.addresses(fixture.net.a(), "v0").stream().filter(a -> !a.contains(":")).toList();
    }

    @Test
    void drainCompletesWhenTheApplicationClosesItsConnectionsAndOnlyTargetsAreTold() throws Exception {
        RemoteJmx jmx = keep(fixture.jmx());
        assertEquals("renumber:type=Subscription,id=app", jmx.invoke(SERVICE, "subscribe", "app", "web", ""));
        jmx.invoke(SERVICE, "subscribe", "bystander", "db", "");
        RemoteJmx.Recorder app = jmx.listen("renumber:type=Subscription,id=app");
        RemoteJmx.Recorder bystander = jmx.listen("renumber:type=Subscription,id=bystander");
        RemoteJmx.Recorder operator = jmx.listen(SERVICE);
        NetNsPeer server = applicationWithConnections(3);
        await().until(() -> (Integer) jmx.invoke(TRACKER, "countConnections", OLD) == 3);

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW, "app", 60L);

        await().until(() -> app.types().contains("renumber.change.started"));
        CompositeData started = app.data("renumber.change.started");
        assertEquals(id, started.get("changeId"));
        assertEquals("v0", started.get("interfaceName"));
        assertEquals("10.9.0.1/24", started.get("oldAddress"));
        assertEquals(NEW, started.get("newAddress"));
        assertEquals("DRAINING", started.get("state"));
        assertThat(ipv4Addresses()).containsExactly("10.9.0.1/24", NEW);
        assertEquals("10.9.1.1", fixture.net.routeSource(fixture.net.a(), "10.9.0.2"),
                "new outbound connections leave from the new address");
        String change = "renumber:type=AddressChange,id=" + id;
        await().until(() -> "DRAINING".equals(jmx.get(change, "State")));
        assertEquals(3, jmx.get(change, "RemainingConnections"));
        assertThat(clients.ask("ping")).as("connections on the old address keep working while draining")
                .isEqualTo("PONG ok");

        assertThat(server.ask("close")).isEqualTo("CLOSED");
        await().atMost(Duration.ofSeconds(30)).until(() -> app.types().contains("renumber.change.completed"));

        assertThat(app.types()).containsExactly("renumber.change.started", "renumber.change.drained",
                "renumber.change.completed");
        assertThat(operator.types()).containsExactly("renumber.change.started", "renumber.change.drained",
                "renumber.change.completed");
        assertThat(bystander.types()).isEmpty();
        assertThat(ipv4Addresses()).containsExactly(NEW);
        assertEquals("DRAINED", jmx.get(change, "Outcome"));
        assertEquals("COMPLETED", jmx.get(change, "State"));
        assertThat(fixture.net.ip(fixture.net.a(), "-4", "route")).doesNotContain("10.9.0.0/24");
    }

    @Test
    void drainTimeoutIsReportedAsAnErrorWithTheRemainingCount() throws Exception {
        RemoteJmx jmx = keep(fixture.jmx());
        jmx.invoke(SERVICE, "subscribe", "app", "", "v0");
        RemoteJmx.Recorder app = jmx.listen("renumber:type=Subscription,id=app");
        applicationWithConnections(2);
        await().until(() -> (Integer) jmx.invoke(TRACKER, "countConnections", OLD) == 2);

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW, "", 2L);
        assertEquals("TIMED_OUT", jmx.invoke(SERVICE, "awaitChange", id, 30L));

        await().until(() -> app.types().contains("renumber.change.timeout"));
        assertThat(app.types()).containsExactly("renumber.change.started", "renumber.change.timeout");
        CompositeData timeout = app.data("renumber.change.timeout");
        assertEquals(2, timeout.get("remainingConnections"));
        assertEquals("TIMED_OUT", timeout.get("state"));
        assertThat((String) timeout.get("error")).contains("2 connection(s)");
        try (JolokiaClient client = jolokiaClient()) {
            JolokiaReadResponse outcome = client.execute(
                    new JolokiaReadRequest("renumber:type=AddressChange,id=" + id, "Outcome"));
            assertEquals("TIMED_OUT", outcome.getValue());
        }
        assertThat(ipv4Addresses()).containsExactly(NEW);
    }

    @Test
    void groupTargetedChangeDrivenByJolokiaReachesSubscribersOverRawHttp() throws Exception {
        JolokiaHttp http = fixture.jolokiaHttp();
        try (JolokiaClient client = jolokiaClient()) {
            client.execute(new JolokiaExecRequest(SERVICE, "subscribe", "web-1", "web", ""));
            client.execute(new JolokiaExecRequest(SERVICE, "subscribe", "web-2", "web", ""));
            client.execute(new JolokiaExecRequest(SERVICE, "subscribe", "db-1", "db", ""));
            String web1 = http.listen("renumber:type=Subscription,id=web-1");
            String db1 = http.listen("renumber:type=Subscription,id=db-1");

            String id = client.<JolokiaExecResponse, JolokiaExecRequest>execute(
                    new JolokiaExecRequest(SERVICE, "changeAddress", "v0", OLD, NEW, "group:web", 30)).getValue();
            String state = client.<JolokiaExecResponse, JolokiaExecRequest>execute(
                    new JolokiaExecRequest(SERVICE, "awaitChange", id, 30)).getValue();
            assertEquals("COMPLETED", state);

            List<JsonNode> received = new ArrayList<>();
            await().until(() -> {
                received.addAll(http.pull(web1));
                return received.size() >= 3;
            });
            assertThat(received).extracting(n -> n.path("type").asText()).containsExactly(
                    "renumber.change.started", "renumber.change.drained", "renumber.change.completed");
            assertThat(received.get(0).path("userData").path("changeId").asText()).isEqualTo(id);
            assertThat(http.pull(db1)).isEmpty();
            JolokiaReadResponse targets = client.execute(
                    new JolokiaReadRequest("renumber:type=AddressChange,id=" + id, "Targets"));
            assertEquals("group:web", targets.getValue());
        }
        assertThat(ipv4Addresses()).containsExactly(NEW);
    }

    @Test
    void cancelDuringDrainPutsAddressesAndRoutesBackExactly() throws Exception {
        applicationWithConnections(1);
        fixture.net.awaitSettled(fixture.net.a());
        String addrBefore = fixture.net.ip(fixture.net.a(), "-j", "addr");
        String routesBefore = fixture.net.ip(fixture.net.a(), "-j", "route");
        RemoteJmx jmx = keep(fixture.jmx());
        jmx.invoke(SERVICE, "subscribe", "app", "", "");
        RemoteJmx.Recorder app = jmx.listen("renumber:type=Subscription,id=app");
        await().until(() -> (Integer) jmx.invoke(TRACKER, "countConnections", OLD) == 1);

        JsonNode accepted = fixture.jolokiaHttp().exec(SERVICE, "changeAddress", "v0", OLD, NEW, "", 60);
        String id = accepted.path("value").asText();
        await().until(() -> app.types().contains("renumber.change.started"));
        JsonNode cancelled = fixture.jolokiaHttp().exec(SERVICE, "cancelChange", id);
        assertEquals(200, cancelled.path("status").asInt(), cancelled.toString());

        await().until(() -> app.types().contains("renumber.change.cancelled"));
        assertEquals("CANCELLED", jmx.get("renumber:type=AddressChange,id=" + id, "State"));
        assertEquals(addrBefore, fixture.net.ip(fixture.net.a(), "-j", "addr"));
        assertEquals(routesBefore, fixture.net.ip(fixture.net.a(), "-j", "route"));
    }

    @Test
    void newAddressInTheOldSubnetSurvivesRemovalOfTheOldPrimary() throws Exception {
        RemoteJmx jmx = keep(fixture.jmx());
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, "10.9.0.7", "", 10L);
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 30L));
        assertThat(ipv4Addresses()).containsExactly("10.9.0.7/24");
        assertEquals("10.9.0.7", fixture.net.routeSource(fixture.net.a(), "10.9.0.2"));
        assertEquals("0", fixture.net.sysctl(fixture.net.a(), "net.ipv4.conf.v0.promote_secondaries"),
                "promote_secondaries is put back as the operator had it");
        keep(NetNsPeer.start(fixture.net.a(), NetNsPeer.Stack.DUAL, "READY", "server", "10.9.0.7", "7001"));
        NetNsPeer client = keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any",
                "10.9.0.7", "7001", "1"));
        assertEquals("PONG ok", client.ask("ping"), "the new address is reachable from the link");
    }

    @Test
    void badInputIsRefusedWithAClearMessageAndLeavesAddressesAndRoutesUntouched() throws Exception {
        RemoteJmx jmx = keep(fixture.jmx());
        jmx.invoke(SERVICE, "subscribe", "app", "web", "");
        applicationWithConnections(1);
        fixture.net.ip(fixture.net.a(), "addr", "add", "10.9.0.50/24", "dev", "v0");
        fixture.net.awaitSettled(fixture.net.a()); // the link-local address leaves tentative: the kernel's, not ours
        String addrBefore = fixture.net.ip(fixture.net.a(), "-j", "addr");
        String routesBefore = fixture.net.ip(fixture.net.a(), "-j", "route");

        assertRefused(jmx, "unknown interface 'eth7'", "eth7", OLD, NEW, "", 60L);
        assertRefused(jmx, "not a valid IP address", "v0", "10.9.0", NEW, "", 60L);
        assertRefused(jmx, "malformed prefix", "v0", OLD, "10.9.1.1/2x", "", 60L);
        assertRefused(jmx, "same family", "v0", OLD, "2001:db8:1::1/64", "", 60L);
        assertRefused(jmx, "not configured on v0", "v0", "10.9.0.99", NEW, "", 60L);
        assertRefused(jmx, "already configured on v0", "v0", OLD, "10.9.0.50/24", "", 60L);
        assertRefused(jmx, "loopback", "v0", OLD, "127.0.0.2/8", "", 60L);
        assertRefused(jmx, "is the old address", "v0", OLD, OLD + "/24", "", 60L);
        assertRefused(jmx, "out of range", "v0", OLD, NEW, "", -5L);
        assertRefused(jmx, "out of range", "v0", OLD, NEW, "", 999_999_999L);
        assertRefused(jmx, "unknown subscriber id 'ghost'", "v0", OLD, NEW, "ghost", 60L);
        assertRefused(jmx, "group 'nobody'", "v0", OLD, NEW, "group:nobody", 60L);
        Exception duplicate = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> jmx.invoke(SERVICE, "subscribe", "app", "", ""));
        assertThat(messages(duplicate)).contains("already subscribed");

        String running = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW, "", 60L);
        await().until(() -> "DRAINING".equals(jmx.get("renumber:type=AddressChange,id=" + running, "State")));
        String addrDuring = fixture.net.ip(fixture.net.a(), "-j", "addr");
        assertRefused(jmx, "already running on v0", "v0", OLD, "10.9.2.1/24", "", 60L);
        assertEquals(addrDuring, fixture.net.ip(fixture.net.a(), "-j", "addr"));
        jmx.invoke(SERVICE, "cancelChange", running);

        assertEquals(addrBefore, fixture.net.ip(fixture.net.a(), "-j", "addr"));
        assertEquals(routesBefore, fixture.net.ip(fixture.net.a(), "-j", "route"));
    }

    private static void assertRefused(RemoteJmx jmx, String expected, Object... args) {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> jmx.invoke(SERVICE, "changeAddress", args));
        assertThat(messages(e)).contains(expected);
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }

    private JolokiaClient jolokiaClient() {
        return new JolokiaClientBuilder().url(fixture.agent().jolokia().url())
                .user(fixture.agent().credentials().user())
                .password(fixture.agent().credentials().password()).build();
    }
}
