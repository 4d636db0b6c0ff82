package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.IpLiterals;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * IPv6 changes on the real kernel: an agent managing namespace A, applications in separate JVMs holding real
 * TCP connections, duplicate address detection against a second node (namespace B) on the same veth link.
 * The fixture configures its own IPv6 addresses with {@code nodad}; addresses the agent adds go through DAD.
 */
@KernelTest
class Ipv6ChangeEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String TRACKER = "renumber:type=ConnectionTracker";
    private static final String OLD = NetNsFixture.ADDRESS6_A;
    private static final String NEW = "2001:db8:9::5";
    private static final String PEER = NetNsFixture.ADDRESS6_B;

    private AgentFixture fixture;
    private NetNsFixture net;
    private RemoteJmx jmx;
    private RemoteJmx.Recorder operator;

    @BeforeEach
    void startAgent() throws Exception {
        fixture = new AgentFixture("rn-it-v6-");
        net = fixture.net;
        jmx = keep(fixture.jmx());
        operator = jmx.listen(SERVICE);
        net.awaitSettled(net.a());
    }

    @AfterEach
    void stopEverything() throws Exception {
        fixture.close();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return fixture.keep(resource);
    }

    @Test
    void anIpv6ChangeCompletesWhenTheRealConnectionOnTheOldAddressCloses() throws Exception {
        NetNsPeer server = keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        NetNsPeer client = keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD,
                "7000", "1"));
        await().until(() -> (Integer) jmx.invoke(TRACKER, "countConnections", OLD) == 1);

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/64", "", 60L);

        await().until(() -> operator.types().contains("renumber.change.started"));
        assertThat(addressInfo(net.a(), NEW).has("tentative")).as("announced only once usable").isFalse();
        CompositeData started = operator.data("renumber.change.started");
        assertEquals("2001:db8:9::1/64", started.get("oldAddress"));
        assertEquals("2001:db8:9::5/64", started.get("newAddress"));
        JsonNode old = addressInfo(net.a(), OLD);
        assertThat(old.path("deprecated").asBoolean()).as("%s", old).isTrue();
        assertThat(old.path("preferred_life_time").asLong()).isZero();
        assertThat(old.path("valid_life_time").asLong()).as("valid lifetime kept").isEqualTo(4294967295L);
        assertEquals("PONG ok", client.ask("ping"), "the connection on the old address keeps working while draining");
        assertEquals(1, jmx.get("renumber:type=AddressChange,id=" + id, "RemainingConnections"));

        assertEquals("CLOSED", server.ask("close"));

        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 30L));
        await().until(() -> operator.types().contains("renumber.change.completed"));
        assertThat(operator.types()).containsExactly("renumber.change.started", "renumber.change.drained",
                "renumber.change.completed");
        assertThat(globalAddresses(net.a())).containsExactly("2001:db8:9::5/64");
        keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", NEW, "7001"));
        NetNsPeer again = keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", NEW,
                "7001", "1"));
        assertEquals("PONG ok", again.ask("ping"), "the new address is reachable from the link");
    }

    @Test
    void aConnectionOpenedAfterStartedLeavesFromTheNewAddressWhileOlderOnesKeepWorking() throws Exception {
        keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "READY", "server", PEER, "7100"));
        NetNsPeer before = keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", PEER,
                "7100", "1"));
        assertThat(sources(before)).containsExactly(IpLiterals.parse(OLD));
        await().until(() -> (Integer) jmx.invoke(TRACKER, "countConnections", OLD) == 1);

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/64", "", 60L);
        await().until(() -> operator.types().contains("renumber.change.started"));

        NetNsPeer after = keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", PEER,
                "7100", "1"));
        assertThat(sources(after)).as("new outbound connections avoid the deprecated address")
                .containsExactly(IpLiterals.parse(NEW));
        assertEquals("PONG ok", before.ask("ping"), "the connection opened before still carries data");
        assertThat(sources(before)).containsExactly(IpLiterals.parse(OLD));
        assertEquals("PONG ok", after.ask("ping"));

        assertEquals("CLOSED", before.ask("close"));
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 30L));
        assertEquals("PONG ok", after.ask("ping"), "the connection on the new address outlives the old address");
    }

    @Test
    void aDuplicateOnTheLinkFailsTheChangeRemovesTheNewAddressAndLeavesEverythingElseAsItWas() throws Exception {
        net.ip(net.b(), "-6", "addr", "add", NEW + "/64", "dev", NetNsFixture.IF_B); // another node holds NEW
        net.awaitSettled(net.b());
        String addrBefore = net.ip(net.a(), "-j", "addr");
        String routesBefore = net.ip(net.a(), "-j", "-6", "route");

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/64", "", 60L);

        assertEquals("FAILED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        await().until(() -> operator.types().contains("renumber.change.failed"));
        assertThat(operator.types()).as("never announced").containsExactly("renumber.change.failed");
        String error = (String) jmx.get("renumber:type=AddressChange,id=" + id, "Error");
        assertThat(error).contains("duplicate address").contains("another node on the link of v0")
                .contains("already uses " + NEW);
        assertEquals(addrBefore, net.ip(net.a(), "-j", "addr"), "new address removed, old one untouched");
        assertEquals(routesBefore, net.ip(net.a(), "-j", "-6", "route"));
    }

    @Test
    void linkLocalAddressesAndMixedFamiliesAreRefusedAndNothingChanges() throws Exception {
        String linkLocal = linkLocal(net, net.a(), "v0");
        String addrBefore = net.ip(net.a(), "-j", "addr");

        assertRefused("link-local", "v0", linkLocal, NEW + "/64", "", 60L);
        assertRefused("link-local", "v0", OLD, "fe80::5/64", "", 60L);
        assertRefused("same family", "v0", OLD, "10.9.1.1/24", "", 60L);
        assertRefused("same family", "v0", NetNsFixture.ADDRESS_A, NEW + "/64", "", 60L);
        assertRefused("neither a global unicast", "v0", OLD, "fec0::5/64", "", 60L);

        assertEquals(addrBefore, net.ip(net.a(), "-j", "addr"));
        assertThat((String[]) jmx.get(SERVICE, "RecentChanges")).isEmpty();
    }

    @Test
    void cancelDuringTheDrainUndoesTheDeprecationAndRestoresAddressesAndRoutesExactly() throws Exception {
        net.ip(net.a(), "-6", "route", "add", "2001:db8:77::/48", "via", PEER, "src", OLD);
        keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD, "7000", "1"));
        String addrBefore = net.ip(net.a(), "-j", "addr");
        String routesBefore = net.ip(net.a(), "-j", "-6", "route");

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/64", "", 60L);
        await().until(() -> operator.types().contains("renumber.change.started"));
        assertThat(addressInfo(net.a(), OLD).path("deprecated").asBoolean()).isTrue();
        assertEquals(NEW, net.routeSource(net.a(), "2001:db8:77::1"), "the route naming the old source moved");

        jmx.invoke(SERVICE, "cancelChange", id);

        assertEquals("CANCELLED", jmx.get("renumber:type=AddressChange,id=" + id, "State"));
        assertEquals(addrBefore, net.ip(net.a(), "-j", "addr"));
        assertEquals(routesBefore, net.ip(net.a(), "-j", "-6", "route"));
    }

    private void assertRefused(String expected, Object... args) {
        Exception e = assertThrows(Exception.class, () -> jmx.invoke(SERVICE, "changeAddress", args));
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        assertThat(all.toString()).contains(expected);
    }

    /** The interface's link-local address, or null (iproute2 prints filtered-out addresses as {}). */
    static String linkLocal(NetNsFixture net, String ns, String dev) {
        for (JsonNode info : net.ipJson(ns, "-6", "addr", "show", "dev", dev).path(0).path("addr_info")) {
            if (info.path("local").asText().startsWith("fe80:")) {
                return info.path("local").asText();
            }
        }
        return null;
    }

    /** The local addresses of a client peer's connections, as addresses (Java prints IPv6 in full). */
    private static List<InetAddress> sources(NetNsPeer peer) throws Exception {
        String answer = peer.ask("sources");
        assertThat(answer).startsWith("SOURCES [");
        return Arrays.stream(answer.substring("SOURCES [".length(), answer.length() - 1).split(", "))
                .map(IpLiterals::parse).toList();
    }

    private JsonNode addressInfo(String ns, String address) {
        for (JsonNode info : net.ipJson(ns, "-6", "addr", "show", "dev", "v0").get(0).path("addr_info")) {
            if (info.path("local").asText().equals(address)) {
                return info;
            }
        }
        throw new AssertionError(address + " is not on v0 in " + ns);
    }

    private List<String> globalAddresses(String ns) {
        return net.addresses(ns, "v0").stream().filter(a -> a.contains(":") && !a.startsWith("fe80:")).toList();
    }
}
