package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * Two interfaces on one subnet in the agent's namespace: {@code v0} 10.70.0.1/24, which changes, and {@code w1}
 * 10.70.0.100/24, which nobody asked to touch, given their addresses in either order. Whatever happens to
 * {@code v0} (a change by request, a renumbering by hand the interface monitor follows, a cancel and its
 * rollback), {@code w1}'s connected route stays exactly as it was, and {@code v0} is left with one connected
 * route.
 */
@Tag("kernel")
@KernelTest
class NeighbourRoutesEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = "10.70.0.1";
    private static final String NEW = "10.70.0.2";
    private static final String NEIGHBOUR = "10.70.0.100/24";

    private AgentFixture fixture;
    private RemoteJmx jmx;
    private RemoteJmx.Recorder app;

    /** The agent, then w1 and the two addresses in the given order ("w1 first": w1's route is the first). */
    private void setUp(String first) throws Exception {
        fixture = new AgentFixture("rn-it-nbr-");
        ip("link", "add", "w1", "type", "veth", "peer", "name", "w1p");
        ip("link", "set", "w1p", "up");
        ip("link", "set", "w1", "up");
        if (first.equals("w1")) {
            ip("addr", "add", NEIGHBOUR, "dev", "w1");
            ip("addr", "add", OLD + "/24", "dev", "v0");
        } else {
            ip("addr", "add", OLD + "/24", "dev", "v0");
            ip("addr", "add", NEIGHBOUR, "dev", "w1");
        }
        jmx = fixture.keep(fixture.jmx());
        jmx.invoke(SERVICE, "subscribe", "app", "", "v0");
        app = jmx.listen("renumber:type=Subscription,id=app");
    }

    @AfterEach
    void stopEverything() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private String ip(String... args) {
        return fixture.net.ip(fixture.net.a(), args);
    }

    /** The routes of 10.70.0.0/24 of every table, as iproute2 prints them, in the kernel's order. */
    private List<String> subnetRoutes() {
        List<String> routes = new ArrayList<>();
        for (JsonNode route : fixture.net.ipJson(fixture.net.a(), "-4", "route", "show", "table", "all",
                "10.70.0.0/24")) {
            routes.add(route.toString());
        }
        return routes;
    }

    private List<String> routesOf(String dev) {
        return subnetRoutes().stream().filter(r -> r.contains("\"dev\":\"" + dev + "\"")).toList();
    }

    private void awaitEvent(String type) {
        await().atMost(Duration.ofSeconds(60)).until(() -> app.types().contains(type));
    }

    /** A server on the old address and a client in the same namespace: the drain waits for them. */
    private void holdAConnection() throws Exception {
        fixture.keep(NetNsPeer.start(fixture.net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        fixture.keep(NetNsPeer.start(fixture.net.a(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD,
                "7000", "1"));
        await().until(() -> (Integer) jmx.invoke("renumber:type=ConnectionTracker", "countConnections", OLD) >= 1);
    }

    @ParameterizedTest(name = "{0} first")
    @ValueSource(strings = {"w1", "v0"})
    void aChangeByRequestLeavesTheOtherInterfacesRoute(String first) throws Exception {
        setUp(first);
        List<String> neighbour = routesOf("w1");
        assertThat(neighbour).hasSize(1);

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 10L);

        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertThat(routesOf("w1")).isEqualTo(neighbour);
        assertThat(routesOf("v0")).singleElement().asString().contains("\"prefsrc\":\"" + NEW + "\"");
    }

    @ParameterizedTest(name = "{0} first")
    @ValueSource(strings = {"w1", "v0"})
    void aCancelledChangePutsTheRoutesBackAsTheyWereAndALaterChangeStillLeavesTheNeighbour(String first)
            throws Exception {
        setUp(first);
        holdAConnection();
        List<String> before = subnetRoutes();
        List<String> neighbour = routesOf("w1");

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 60L);
        awaitEvent("renumber.change.started");
        assertThat(routesOf("w1")).isEqualTo(neighbour);
        jmx.invoke(SERVICE, "cancelChange", id);

        assertEquals("CANCELLED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertThat(subnetRoutes()).isEqualTo(before);

        String again = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 1L);
        assertThat((String) jmx.invoke(SERVICE, "awaitChange", again, 60L)).isIn("COMPLETED", "TIMED_OUT");
        assertThat(routesOf("w1")).isEqualTo(neighbour);
        assertThat(routesOf("v0")).singleElement().asString().contains("\"prefsrc\":\"" + NEW + "\"");
    }

    /**
     * By hand, the kernel makes {@code dev v0 src NEW} itself, behind w1's route: steering finds it done (it
     * used to fail with EEXIST, and the rollback then deleted w1's route).
     */
    @ParameterizedTest(name = "{0} first")
    @ValueSource(strings = {"w1", "v0"})
    void aRenumberingByHandIsFollowedWithoutTouchingTheOtherInterface(String first) throws Exception {
        setUp(first);
        List<String> neighbour = routesOf("w1");

        ip("addr", "del", OLD + "/24", "dev", "v0");
        ip("addr", "add", NEW + "/24", "dev", "v0");
        ip("addr", "add", OLD + "/24", "dev", "v0", "label", "v0:0");

        awaitEvent("renumber.alias.removable");
        CompositeData removable = app.data("renumber.alias.removable");
        assertEquals("COMPLETED", removable.get("state"), removable.toString());
        assertThat(app.types()).doesNotContain("renumber.change.failed");
        assertThat(routesOf("w1")).isEqualTo(neighbour);
        assertThat(routesOf("v0")).singleElement().asString().contains("\"prefsrc\":\"" + NEW + "\"");
    }

    /** The rollback of a change the monitor detected names v0's route, not the first one of the prefix. */
    @ParameterizedTest(name = "{0} first")
    @ValueSource(strings = {"w1", "v0"})
    void theRollbackOfARenumberingByHandTouchesOnlyItsInterface(String first) throws Exception {
        setUp(first);
        holdAConnection();
        List<String> neighbour = routesOf("w1");

        ip("addr", "del", OLD + "/24", "dev", "v0");
        ip("addr", "add", NEW + "/24", "dev", "v0");
        ip("addr", "add", OLD + "/24", "dev", "v0", "label", "v0:0");
        awaitEvent("renumber.change.started");
        String id = (String) app.data("renumber.change.started").get("changeId");
        jmx.invoke(SERVICE, "cancelChange", id);

        assertEquals("CANCELLED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertThat(routesOf("w1")).isEqualTo(neighbour);
        assertThat(routesOf("v0")).as("one connected route of v0, whatever its source").hasSize(1);
    }
}
