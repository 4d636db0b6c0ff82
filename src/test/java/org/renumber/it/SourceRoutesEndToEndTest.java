package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * Routes that name the old address as their preferred source, on the real kernel. Deleting an IPv4 address
 * deletes such routes with it and deleting an IPv6 address strips their source, so the agent re-points them.
 * The routing table is compared as {@code ip -j route} prints it: after a completed change with the table of a
 * second pair of namespaces renumbered by hand, after a cancel or a failure with the table before the change.
 */
class SourceRoutesEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = NetNsFixture.ADDRESS_A;
    private static final String NEW = "10.9.1.1";
    private static final String OLD6 = NetNsFixture.ADDRESS6_A;
    private static final String NEW6 = "2001:db8:9::5";

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
        Ipv6ChangeEndToEndTest.awaitSettledAddresses(net, net.a(), NetNsFixture.IF_A);
    }

    @AfterEach
    void stopEverything() throws Exception {
        fixture.close();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return fixture.keep(resource);
    }

    /** A network behind the peer, a default route via it (with a metric and an MTU), both with src OLD. */
    private static void addRoutesNamingTheOldAddresses(NetNsFixture n) {
        n.ip(n.a(), "route", "add", "192.0.2.0/24", "via", NetNsFixture.ADDRESS_B, "src", OLD);
        n.ip(n.a(), "route", "add", "default", "via", NetNsFixture.ADDRESS_B, "dev", "v0", "src", OLD, "metric", "50",
                "mtu", "1400");
        n.ip(n.a(), "-6", "route", "add", "2001:db8:77::/48", "via", NetNsFixture.ADDRESS6_B, "src", OLD6,
                "proto", "static");
        n.ip(n.a(), "-6", "route", "add", "default", "via", NetNsFixture.ADDRESS6_B, "dev", "v0", "src", OLD6);
    }

    @Test
    void anIpv4ChangeMovesTheRoutesAndLeavesTheTableAsARenumberingByHandWould() throws Exception {
        NetNsPeer server = keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD, "7000", "1"));

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 60L);
        await().until(() -> operator.types().contains("renumber.change.started"));
        assertEquals(NEW, net.routeSource(net.a(), "192.0.2.1"), "steered during the drain");
        assertEquals(NEW, net.routeSource(net.a(), "203.0.113.1"), "the default route too");
        assertEquals("CLOSED", server.ask("close"));
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 30L));

        try (NetNsFixture byHand = NetNsFixture.create("rn-it-rt-ref-")) {
            addRoutesNamingTheOldAddresses(byHand);
            byHand.ip(byHand.a(), "addr", "add", NEW + "/24", "brd", "+", "dev", "v0");
            byHand.ip(byHand.a(), "route", "replace", "192.0.2.0/24", "via", NetNsFixture.ADDRESS_B, "src", NEW);
            byHand.ip(byHand.a(), "route", "replace", "default", "via", NetNsFixture.ADDRESS_B, "dev", "v0", "src", NEW,
                    "metric", "50", "mtu", "1400");
            byHand.ip(byHand.a(), "addr", "del", OLD + "/24", "dev", "v0");

            String expected = byHand.ip(byHand.a(), "-j", "-4", "route");
            assertThat(expected).contains("\"prefsrc\":\"" + NEW + "\"").doesNotContain(OLD + "\"");
            assertEquals(expected, net.ip(net.a(), "-j", "-4", "route"));
            assertEquals(byHand.ip(byHand.a(), "-j", "-6", "route"), net.ip(net.a(), "-j", "-6", "route"));
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
            byHand.ip(byHand.a(), "route", "replace", "192.0.2.0/24", "via", NetNsFixture.ADDRESS_B, "src", "10.9.0.7");
            byHand.ip(byHand.a(), "route", "replace", "default", "via", NetNsFixture.ADDRESS_B, "dev", "v0", "src",
                    "10.9.0.7", "metric", "50", "mtu", "1400");
            byHand.setSysctl(byHand.a(), "net.ipv4.conf.v0.promote_secondaries", "1");
            byHand.ip(byHand.a(), "addr", "del", OLD + "/24", "dev", "v0");
            byHand.setSysctl(byHand.a(), "net.ipv4.conf.v0.promote_secondaries", "0");

            assertEquals(byHand.ip(byHand.a(), "-j", "-4", "route"), net.ip(net.a(), "-j", "-4", "route"));
            assertEquals(byHand.ipJson(byHand.a(), "-4", "addr", "show", "dev", "v0").path(0).path("addr_info"),
                    net.ipJson(net.a(), "-4", "addr", "show", "dev", "v0").path(0).path("addr_info"),
                    "10.9.0.7 promoted to primary, as by hand");
        }
    }

    @Test
    void anIpv6ChangeMovesTheRoutesAndLeavesTheTableAsARenumberingByHandWould() throws Exception {
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD6, NEW6 + "/64", "", 10L);
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));

        try (NetNsFixture byHand = NetNsFixture.create("rn-it-rt-ref-")) {
            addRoutesNamingTheOldAddresses(byHand);
            byHand.ip(byHand.a(), "-6", "addr", "add", NEW6 + "/64", "dev", "v0", "nodad");
            byHand.ip(byHand.a(), "-6", "route", "replace", "2001:db8:77::/48", "via", NetNsFixture.ADDRESS6_B, "src",
                    NEW6, "proto", "static");
            byHand.ip(byHand.a(), "-6", "route", "replace", "default", "via", NetNsFixture.ADDRESS6_B, "dev", "v0",
                    "src", NEW6);
            byHand.ip(byHand.a(), "-6", "addr", "del", OLD6 + "/64", "dev", "v0");

            String expected = byHand.ip(byHand.a(), "-j", "-6", "route");
            assertThat(expected).contains("\"prefsrc\":\"" + NEW6 + "\"");
            assertEquals(expected, net.ip(net.a(), "-j", "-6", "route"));
            assertEquals(byHand.ip(byHand.a(), "-j", "-4", "route"), net.ip(net.a(), "-j", "-4", "route"));
        }
    }

    @Test
    void cancelPutsEveryRouteBackByteForByte() throws Exception {
        keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD, "7000", "1"));
        Snapshot before = snapshot();

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 60L);
        await().until(() -> operator.types().contains("renumber.change.started"));
        assertThat(net.ip(net.a(), "-j", "-4", "route")).isNotEqualTo(before.routes4);
        jmx.invoke(SERVICE, "cancelChange", id);

        assertEquals("CANCELLED", jmx.get("renumber:type=AddressChange,id=" + id, "State"));
        assertEquals(before, snapshot());
    }

    @Test
    void aFailureAfterTheKernelDroppedTheMovedRoutesRecreatesThemAsTheyWere() throws Exception {
        NetNsPeer server = keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD, "7000", "1"));
        Snapshot before = snapshot();
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 60L);
        await().until(() -> operator.types().contains("renumber.change.started"));

        // Someone deletes the new address mid-drain: the kernel deletes every route whose source it was.
        net.ip(net.a(), "addr", "del", NEW + "/24", "dev", "v0");
        assertThat(net.ip(net.a(), "-j", "-4", "route")).doesNotContain("192.0.2.0/24");
        assertEquals("CLOSED", server.ask("close"));

        assertEquals("FAILED", jmx.invoke(SERVICE, "awaitChange", id, 30L));
        assertThat((String) jmx.get("renumber:type=AddressChange,id=" + id, "Error")).contains("is no longer on v0");
        assertEquals(before, snapshot());
    }

    @Test
    void anIpv6FailureGivesTheRoutesTheirSourceBackAndUndoesTheDeprecation() throws Exception {
        NetNsPeer server = keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD6, "7000"));
        keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD6, "7000", "1"));
        Snapshot before = snapshot();
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD6, NEW6 + "/64", "", 60L);
        await().until(() -> operator.types().contains("renumber.change.started"));

        // The kernel strips the source of IPv6 routes whose source address is deleted.
        net.ip(net.a(), "-6", "addr", "del", NEW6 + "/64", "dev", "v0");
        assertThat(net.ip(net.a(), "-j", "-6", "route")).doesNotContain(NEW6);
        assertEquals("CLOSED", server.ask("close"));

        assertEquals("FAILED", jmx.invoke(SERVICE, "awaitChange", id, 30L));
        assertEquals(before, snapshot());
    }

    private Snapshot snapshot() {
        return new Snapshot(net.ip(net.a(), "-j", "addr"), net.ip(net.a(), "-j", "-4", "route"),
                net.ip(net.a(), "-j", "-6", "route"));
    }

    private record Snapshot(String addresses, String routes4, String routes6) {
    }
}
