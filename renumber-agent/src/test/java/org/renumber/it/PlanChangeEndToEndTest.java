package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.JolokiaHttp;
import org.renumber.testing.KernelSnapshot;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * {@code planChange} and {@code planMigration} against a real agent managing a namespace with routes, rules, a
 * subscriber and live connections on the old address: the plan says what the change would do, the refusal is the
 * change's own, and nothing in the kernel changes ({@code ip -d addr}, routes and rules byte-identical).
 */
@Tag("kernel")
@KernelTest
class PlanChangeEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String TRACKER = "renumber:type=ConnectionTracker";
    private static final String OLD = NetNsFixture.ADDRESS_A;
    private static final String GW = NetNsFixture.ADDRESS_B;

    private AgentFixture fixture;
    private NetNsFixture net;

    @BeforeEach
    void startAgent() {
        fixture = new AgentFixture("rn-it-plan-");
        net = fixture.net;
        net.ip(net.a(), "route", "add", "192.0.2.0/24", "via", GW, "src", OLD);
        net.ip(net.a(), "route", "add", "198.51.100.0/24", "via", GW, "src", OLD, "table", "100");
        net.ip(net.a(), "rule", "add", "from", OLD + "/32", "lookup", "100", "priority", "1000");
        net.ip(net.a(), "rule", "add", "to", "10.9.0.0/24", "lookup", "100", "priority", "1001");
    }

    @AfterEach
    void stopEverything() {
        fixture.close();
    }

    @Test
    void aPlanThroughJolokiaListsWhatTheChangeWouldDoAndChangesNothing() throws Exception {
        RemoteJmx jmx = fixture.keep(fixture.jmx());
        jmx.invoke(SERVICE, "subscribe", "app", "web", "");
        fixture.keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        fixture.keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD, "7000", "2"));
        await().until(() -> (Integer) jmx.invoke(TRACKER, "countConnections", OLD) == 2);
        String before = KernelSnapshot.of(net, net.a());

        JsonNode plan = fixture.jolokiaHttp().exec(SERVICE, "planChange", "v0", OLD, "10.9.1.1/24", "", 45)
                .path("value");

        assertEquals(before, KernelSnapshot.of(net, net.a()));
        assertThat(plan.path("valid").asBoolean()).isTrue();
        assertEquals("", plan.path("refusal").asText());
        assertEquals("REQUESTED", plan.path("kind").asText());
        assertEquals("10.9.0.1/24", plan.path("oldAddress").asText());
        assertEquals("10.9.1.1/24", plan.path("newAddress").asText());
        assertThat(plan.path("usable").asText()).contains("as soon as it is added");
        assertThat(texts(plan.path("routes"), "after")).containsExactlyInAnyOrder(
                "10.9.0.0/24 dev v0 proto kernel scope link src 10.9.1.1",
                "192.0.2.0/24 via 10.9.0.2 dev v0 src 10.9.1.1",
                "198.51.100.0/24 via 10.9.0.2 dev v0 table 100 src 10.9.1.1");
        assertThat(texts(plan.path("routes"), "table")).containsExactlyInAnyOrder("main", "main", "100");
        assertThat(texts(plan.path("rules"), "action")).containsExactly("add", "delete", "keep");
        assertThat(texts(plan.path("rules"), "rule")).containsExactly(
                "from 10.9.1.1 lookup 100 priority 1000", "from 10.9.0.1 lookup 100 priority 1000",
                "from all to 10.9.0.0/24 lookup 100 priority 1001");
        assertThat(texts(plan.path("subscribers"), "id")).containsExactly("app");
        assertThat(plan.path("guardNewConnections").asBoolean()).isFalse();
        assertEquals(45, plan.path("drainTimeoutSeconds").asLong());
        assertThat(plan.path("connections")).hasSize(2);
        JsonNode connection = plan.path("connections").get(0);
        assertThat(connection.path("local").asText()).isEqualTo(OLD + ":7000");
        assertEquals("ESTABLISHED", connection.path("state").asText());
        assertThat(connection.path("pid").asLong()).isPositive();
        assertThat(connection.path("process").asText()).contains("java");
        assertThat(texts(plan.path("listeners"), null)).singleElement().asString().contains(OLD + ":7000");
        assertThat(texts(plan.path("holders"), null)).singleElement().asString().contains("2 connections");
        assertThat(jmx.get(SERVICE, "ActiveChangeCount")).isEqualTo(0);
    }

    @Test
    void aRefusedPlanGivesTheChangesOwnMessageOverJmxAndChangesNothing() throws Exception {
        RemoteJmx jmx = fixture.keep(fixture.jmx());
        String before = KernelSnapshot.of(net, net.a());
        Object[][] refused = {
                {"v0", "10.9.0.77", "10.9.1.1/24", "", 30L},
                {"nope0", OLD, "10.9.1.1/24", "", 30L},
                {"v0", OLD, "10.9.0.255/24", "", 30L},
                {"v0", OLD, "10.9.1.1/24", "", -1L},
        };
        for (Object[] args : refused) {
            @SuppressWarnings("unchecked")
            Map<String, Object> plan = (Map<String, Object>) jmx.invoke(SERVICE, "planChange", args);
            Exception change = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> jmx.invoke(SERVICE, "changeAddress", args));
            assertEquals(false, plan.get("valid"));
            assertThat(rootMessage(change)).endsWith((String) plan.get("refusal"));
            assertThat((String) plan.get("refusal")).isNotBlank();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> migration = (Map<String, Object>) jmx.invoke(SERVICE, "planMigration", "v0", OLD,
                "10.9.0.7/24", "", 30L);
        assertEquals("MIGRATION", migration.get("kind"));
        assertThat((String) migration.get("refusal")).startsWith("targets is required for a migration");
        assertEquals(before, KernelSnapshot.of(net, net.a()));
    }

    @Test
    void aPlanWhileAChangeRunsSaysTheInterfaceIsBusy() throws Exception {
        JolokiaHttp jolokia = fixture.jolokiaHttp();
        fixture.keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        fixture.keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD, "7000", "1"));
        String id = jolokia.exec(SERVICE, "changeAddress", "v0", OLD, "10.9.1.1/24", "", 60).path("value").asText();
        await().until(() -> jolokia.post(Map.of("type", "read", "mbean", "renumber:type=AddressChange,id=" + id,
                "attribute", "State")).path("value").asText().equals("DRAINING"));

        JsonNode plan = jolokia.exec(SERVICE, "planChange", "v0", OLD, "10.9.2.1/24", "", 60).path("value");

        assertThat(plan.path("valid").asBoolean()).isFalse();
        assertThat(plan.path("refusal").asText()).contains("change " + id + " is already running on v0");
        jolokia.exec(SERVICE, "cancelChange", id);
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> list = new ArrayList<>();
        array.forEach(item -> list.add(field == null ? item.asText() : item.path(field).asText()));
        return list;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
