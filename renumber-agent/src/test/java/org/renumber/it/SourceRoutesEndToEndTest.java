package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * Routes that name the old address as their preferred source, and the policy rules that select it as source or
 * destination, on the real kernel. Deleting an IPv4 address deletes the main table's routes that name it and leaves
 * those of other tables naming a source the node no longer has; deleting an IPv6 address strips their source (but
 * from routes through a nexthop object); rules stay as they are.
 * So the agent re-points the routes and gives the new address the rules. The routing tables and rules are compared
 * as {@code ip -j route show table all} and {@code ip -j rule} print them: after a completed change with those of
 * a second pair of namespaces renumbered by hand, after a cancel or a failure with those before the change.
 */
@KernelTest
class SourceRoutesEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = NetNsFixture.ADDRESS_A;
    private static final String NEW = "10.9.1.1";
    private static final String GW = NetNsFixture.ADDRESS_B;
    private static final String OLD6 = NetNsFixture.ADDRESS6_A;
    private static final String NEW6 = "2001:db8:9::5";
    private static final String GW6 = NetNsFixture.ADDRESS6_B;

    private AgentFixture fixture;
    private NetNsFixture net;
    private RemoteJmx jmx;
    private RemoteJmx.Recorder operator;

    @BeforeEach
    void startAgent() throws Exception {
        fixture = new AgentFixture("rn-it-rt-");
        net = fixture.net;
        jmx = keep(fixture.jmx());
        operator = jmx.listen(SERVICE);
        addRoutesNamingTheOldAddresses(net);
        net.awaitSettled(net.a());
    }

    @AfterEach
    void stopEverything() throws Exception {
        fixture.close();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return fixture.keep(resource);
    }

    /**
     * In both families a nexthop object via the peer (ids 10 and 11), the routes of {@link #ipv4Routes} and
     * {@link #ipv6Routes}, and the rules {@code from OLD lookup 100} and {@code to OLD lookup 100}; and rules on a
     * wider prefix, the operator's to change.
     */
    private static void addRoutesNamingTheOldAddresses(NetNsFixture n) {
        n.ip(n.a(), "nexthop", "add", "id", "10", "via", GW, "dev", "v0");
        n.ip(n.a(), "nexthop", "add", "id", "11", "via", GW6, "dev", "v0");
        ipv4Routes(n, OLD);
        ipv6Routes(n, OLD6);
        n.ip(n.a(), "rule", "add", "from", OLD + "/32", "lookup", "100", "priority", "1000");
        n.ip(n.a(), "-6", "rule", "add", "from", OLD6 + "/128", "lookup", "100", "priority", "1000");
        n.ip(n.a(), "rule", "add", "from", "10.9.0.0/24", "lookup", "1000", "priority", "1001");
        n.ip(n.a(), "rule", "add", "to", OLD + "/32", "lookup", "100", "priority", "1002");
        n.ip(n.a(), "-6", "rule", "add", "to", OLD6 + "/128", "lookup", "100", "priority", "1002");
        n.ip(n.a(), "rule", "add", "to", "10.9.0.0/24", "lookup", "1000", "priority", "1003");
    }

    /**
     * The IPv4 routes with preferred source {@code source}, added or re-pointed ({@code ip route replace}): a
     * network behind the peer, a default route via it with a metric and an MTU, routes in table 100 and in table
     * 1000 (an id only RTA_TABLE carries), a weighted multipath route, and a route through nexthop object 10.
     */
    private static void ipv4Routes(NetNsFixture n, String source) {
        String a = n.a();
        n.ip(a, "route", "replace", "192.0.2.0/24", "via", GW, "src", source);
        n.ip(a, "route", "replace", "default", "via", GW, "dev", "v0", "src", source, "metric", "50", "mtu", "1400");
        n.ip(a, "route", "replace", "198.51.100.0/25", "via", GW, "src", source, "table", "100");
        n.ip(a, "route", "replace", "198.51.100.128/25", "via", GW, "src", source, "table", "1000", "proto",
                "static", "metric", "7");
        n.ip(a, "route", "replace", "203.0.113.128/25", "src", source, "nexthop", "via", GW, "dev", "v0", "weight",
                "1", "nexthop", "via", "10.9.0.4", "dev", "v0", "weight", "3");
        n.ip(a, "route", "replace", "198.51.101.0/24", "nhid", "10", "src", source);
    }

    /** The IPv6 counterpart of {@link #ipv4Routes}. */
    private static void ipv6Routes(NetNsFixture n, String source) {
        String a = n.a();
        n.ip(a, "-6", "route", "replace", "2001:db8:77::/48", "via", GW6, "src", source, "proto", "static");
        n.ip(a, "-6", "route", "replace", "default", "via", GW6, "dev", "v0", "src", source);
        n.ip(a, "-6", "route", "replace", "2001:db8:7a::/48", "via", GW6, "src", source, "table", "100");
        n.ip(a, "-6", "route", "replace", "2001:db8:7b::/48", "via", GW6, "src", source, "table", "1000");
        n.ip(a, "-6", "route", "replace", "2001:db8:7c::/48", "src", source, "nexthop", "via", GW6, "dev", "v0",
                "weight", "1", "nexthop", "via", "2001:db8:9::4", "dev", "v0", "weight", "3");
        n.ip(a, "-6", "route", "replace", "2001:db8:7d::/48", "nhid", "11", "src", source);
    }

    /** An IPv4 renumbering by hand, once the new address is there: the routes, the rules, then the address. */
    private static void moveIpv4ByHand(NetNsFixture n, String fresh) {
        ipv4Routes(n, fresh);
        n.ip(n.a(), "rule", "add", "from", fresh + "/32", "lookup", "100", "priority", "1000");
        n.ip(n.a(), "rule", "del", "from", OLD + "/32", "lookup", "100", "priority", "1000");
        n.ip(n.a(), "rule", "add", "to", fresh + "/32", "lookup", "100", "priority", "1002");
        n.ip(n.a(), "rule", "del", "to", OLD + "/32", "lookup", "100", "priority", "1002");
        n.ip(n.a(), "addr", "del", OLD + "/24", "dev", "v0");
    }

    @Test
    void anIpv4ChangeMovesRoutesAndRulesAndLeavesThemAsARenumberingByHandWould() throws Exception {
        NetNsPeer server = keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD, "7000", "1"));

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 60L);
        await().until(() -> operator.types().contains("renumber.change.started"));
        assertEquals(NEW, net.routeSource(net.a(), "192.0.2.1"), "steered during the drain");
        assertEquals(NEW, net.routeSource(net.a(), "203.0.113.1"), "the default route too");
        assertEquals(NEW, net.routeSource(net.a(), "203.0.113.129"), "and the multipath route");
        assertEquals(NEW, net.routeSource(net.a(), "198.51.101.1"), "and the route through a nexthop object");
        assertThat(net.ip(net.a(), "-4", "rule")).as("both addresses routed alike while the applications move")
                .contains("1000:\tfrom " + OLD + " lookup 100").contains("1000:\tfrom " + NEW + " lookup 100")
                .contains("1002:\tfrom all to " + OLD + " lookup 100")
                .contains("1002:\tfrom all to " + NEW + " lookup 100");
        assertEquals("CLOSED", server.ask("close"));
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 30L));

        try (NetNsFixture byHand = NetNsFixture.create("rn-it-rt-ref-")) {
            addRoutesNamingTheOldAddresses(byHand);
            byHand.ip(byHand.a(), "addr", "add", NEW + "/24", "brd", "+", "dev", "v0");
            moveIpv4ByHand(byHand, NEW);

            assertThat(routes(byHand).toString()).contains("\"prefsrc\":\"" + NEW + "\"").doesNotContain(OLD + "\"")
                    .contains("\"table\":\"1000\"").contains("\"weight\":3").contains("\"nhid\":10");
            assertEquals(routes(byHand), routes(net));
            assertThat(rules(byHand)).contains("\"src\":\"" + NEW + "\"").doesNotContain("\"src\":\"" + OLD + "\"")
                    .contains("\"dst\":\"" + NEW + "\"").doesNotContain("\"dst\":\"" + OLD + "\"")
                    .contains("\"srclen\":24").contains("\"dstlen\":24");
            assertEquals(rules(byHand), rules(net));
        }
    }

    @Test
    void aNewAddressInTheOldSubnetKeepsTheMovedRoutesThroughItsPromotionToPrimary() throws Exception {
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, "10.9.0.7", "", 10L);
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 30L));
        assertEquals("10.9.0.7", net.routeSource(net.a(), "192.0.2.1"));

        try (NetNsFixture byHand = NetNsFixture.create("rn-it-rt-ref-")) {
            addRoutesNamingTheOldAddresses(byHand);
            byHand.ip(byHand.a(), "addr", "add", "10.9.0.7/24", "brd", "+", "dev", "v0");
            byHand.setSysctl(byHand.a(), "net.ipv4.conf.v0.promote_secondaries", "1");
            moveIpv4ByHand(byHand, "10.9.0.7");
            byHand.setSysctl(byHand.a(), "net.ipv4.conf.v0.promote_secondaries", "0");

            assertEquals(routes(byHand), routes(net));
            assertEquals(rules(byHand), rules(net));
            assertEquals(byHand.ipJson(byHand.a(), "-4", "addr", "show", "dev", "v0").path(0).path("addr_info"),
                    net.ipJson(net.a(), "-4", "addr", "show", "dev", "v0").path(0).path("addr_info"),
                    "10.9.0.7 promoted to primary, as by hand");
        }
    }

    @Test
    void anIpv6ChangeMovesRoutesAndRulesAndLeavesThemAsARenumberingByHandWould() throws Exception {
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD6, NEW6 + "/64", "", 10L);
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));

        try (NetNsFixture byHand = NetNsFixture.create("rn-it-rt-ref-")) {
            String a = byHand.a();
            addRoutesNamingTheOldAddresses(byHand);
            byHand.ip(a, "-6", "addr", "add", NEW6 + "/64", "dev", "v0", "nodad");
            ipv6Routes(byHand, NEW6);
            byHand.ip(a, "-6", "rule", "add", "from", NEW6 + "/128", "lookup", "100", "priority", "1000");
            byHand.ip(a, "-6", "rule", "del", "from", OLD6 + "/128", "lookup", "100", "priority", "1000");
            byHand.ip(a, "-6", "rule", "add", "to", NEW6 + "/128", "lookup", "100", "priority", "1002");
            byHand.ip(a, "-6", "rule", "del", "to", OLD6 + "/128", "lookup", "100", "priority", "1002");
            byHand.ip(a, "-6", "addr", "del", OLD6 + "/64", "dev", "v0");

            assertThat(routes(byHand).toString()).contains("\"prefsrc\":\"" + NEW6 + "\"")
                    .doesNotContain("\"prefsrc\":\"" + OLD6 + "\"").contains("\"nhid\":11");
            assertEquals(routes(byHand), routes(net));
            assertThat(rules(byHand)).contains("\"src\":\"" + NEW6 + "\"").doesNotContain("\"src\":\"" + OLD6 + "\"")
                    .contains("\"dst\":\"" + NEW6 + "\"").doesNotContain("\"dst\":\"" + OLD6 + "\"");
            assertEquals(rules(byHand), rules(net));
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({OLD + "," + NEW + "/24", OLD6 + "," + NEW6 + "/64"})
    void cancelPutsEveryRouteAndRuleBackByteForByte(String old, String fresh) throws Exception {
        keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", old, "7000"));
        keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", old, "7000", "1"));
        Snapshot before = snapshot();

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", old, fresh, "", 60L);
        await().until(() -> operator.types().contains("renumber.change.started"));
        assertThat(snapshot().routes).isNotEqualTo(before.routes);
        assertThat(snapshot().rules).isNotEqualTo(before.rules);
        jmx.invoke(SERVICE, "cancelChange", id);

        assertEquals("CANCELLED", jmx.get("renumber:type=AddressChange,id=" + id, "State"));
        assertEquals(before, snapshot());
    }

    @Test
    void aFailureAfterTheKernelDroppedTheMovedRoutesRecreatesThemAsTheyWere() throws Exception {
        NetNsPeer server = keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD, "7000", "1"));
        Snapshot before = snapshot();
        // A short drain: once the main table's connected route is gone with the new address (below), the server's
        // FIN has no route to its peer, so the closed socket stays in FIN_WAIT1 and still counts (docs/architecture.md,
        // "Drain"): the change reaches REMOVING at its deadline, and finds the new address gone there.
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 5L);
        await().until(() -> operator.types().contains("renumber.change.started"));

        // Someone deletes the new address mid-drain: the kernel deletes the main table's routes whose source it
        // was, and leaves those of other tables naming it.
        net.ip(net.a(), "addr", "del", NEW + "/24", "dev", "v0");
        assertThat(net.ip(net.a(), "-j", "route", "show", "table", "all")).doesNotContain("192.0.2.0/24")
                .doesNotContain("203.0.113.128/25")
                .contains("\"table\":\"1000\",\"protocol\":\"static\",\"prefsrc\":\"" + NEW + "\"");
        assertEquals("CLOSED", server.ask("close"));

        assertEquals("FAILED", jmx.invoke(SERVICE, "awaitChange", id, 30L));
        assertThat((String) jmx.get("renumber:type=AddressChange,id=" + id, "Error")).contains("is no longer on v0")
                .doesNotContain("rollback incomplete");
        assertEquals(before, snapshot());
    }

    @Test
    void anIpv6FailureGivesTheRoutesTheirSourceBackAndUndoesTheDeprecation() throws Exception {
        NetNsPeer server = keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD6, "7000"));
        keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD6, "7000", "1"));
        Snapshot before = snapshot();
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD6, NEW6 + "/64", "", 60L);
        await().until(() -> operator.types().contains("renumber.change.started"));

        // The kernel strips the source of IPv6 routes whose source address is deleted, in every table, but for
        // a route through a nexthop object, which goes on naming it.
        net.ip(net.a(), "-6", "addr", "del", NEW6 + "/64", "dev", "v0");
        assertThat(net.ipJson(net.a(), "-6", "route", "show", "table", "all"))
                .filteredOn(route -> NEW6.equals(route.path("prefsrc").asText()))
                .extracting(route -> route.path("dst").asText()).containsExactly("2001:db8:7d::/48");
        assertEquals("CLOSED", server.ask("close"));

        assertEquals("FAILED", jmx.invoke(SERVICE, "awaitChange", id, 30L));
        assertEquals(before, snapshot());
    }

    /** Both families' rules, as {@code ip -j rule} prints them. */
    private static String rules(NetNsFixture n) {
        return n.ip(n.a(), "-j", "-4", "rule") + n.ip(n.a(), "-j", "-6", "rule");
    }

    /**
     * Every route of every table, as {@code ip -j route show table all} prints them, but the local routes of the
     * IPv6 link-local addresses: those derive from each veth's random MAC address, so two namespaces never share
     * them.
     */
    private static JsonNode routes(NetNsFixture n) {
        ArrayNode routes = (ArrayNode) n.ipJson(n.a(), "route", "show", "table", "all");
        for (int i = routes.size() - 1; i >= 0; i--) {
            JsonNode route = routes.get(i);
            if ("local".equals(route.path("table").asText()) && route.path("dst").asText().startsWith("fe80:")) {
                routes.remove(i);
            }
        }
        return routes;
    }

    private Snapshot snapshot() {
        return new Snapshot(net.ip(net.a(), "-j", "addr"), net.ip(net.a(), "-j", "route", "show", "table", "all"),
                rules(net), net.ip(net.a(), "-j", "nexthop"));
    }

    private record Snapshot(String addresses, String routes, String rules, String nexthops) {
    }
}
