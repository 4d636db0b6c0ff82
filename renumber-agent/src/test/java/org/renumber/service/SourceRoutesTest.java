package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.ChangeSteps;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.NetworkException;
import org.renumber.domain.Outcome;
import org.renumber.domain.SourceRoute;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryKernel;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemoryTracker;
import org.renumber.testing.JournaledChanges;

/**
 * Routes that name the old address as their source: the kernel deletes them with the address (IPv4) or strips
 * them of it (IPv6), so the change re-points them, journals what it re-pointed, and points them back on rollback.
 */
class SourceRoutesTest {

    private static final InetAddress OLD = IpLiterals.parse("10.9.0.1");
    private static final InterfaceAddress OLD_ADDRESS = InterfaceAddress.parse("10.9.0.1/24");
    private static final String NET = "192.0.2.0/24 via 10.9.0.2 dev v0";
    private static final String DEFAULT = "default via 10.9.0.2 dev v0 metric 50";
    private static final String OTHER = "198.51.100.0/24 via 10.9.0.2 dev v0";
    private static final String NET6 = "2001:db8:77::/48 via 2001:db8:9::2 dev v0 metric 1024";

    private final InMemoryKernel kernel = new InMemoryKernel(new InMemoryNetwork()
            .withInterface("v0", "10.9.0.1/24", "10.9.0.50/24", "2001:db8:9::1/64")
            .withRoute(NET, "10.9.0.1")
            .withRoute(DEFAULT, "10.9.0.1")
            .withRoute(OTHER, "10.9.0.50")
            .withRoute(NET6, "2001:db8:9::1"));
    private final InMemoryNetwork network = kernel.network;
    private final InMemoryTracker tracker = kernel.tracker;
    private final InMemoryJournal journal = kernel.journal;
    private AddressChangeService service;
    private List<String> before;

    @BeforeEach
    void start() {
        network.setPromoteSecondaries("v0", true);
        before = network.routes();
        service = newService();
    }

    private AddressChangeService newService() {
        return kernel.startService(event -> { });
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void routesWithTheOldSourceFollowTheNewAddressFromTheStartAndOutliveTheOldOne() throws Exception {
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> state(id) == ChangeState.DRAINING);

        assertThat(network.routes()).containsExactly(NET + " src 10.9.1.1", DEFAULT + " src 10.9.1.1",
                OTHER + " src 10.9.0.50", NET6 + " src 2001:db8:9::1");
        assertThat(service.change(id).orElseThrow().progress().steps().movedRoutes()).extracting(SourceRoute::text)
                .containsExactly(NET, DEFAULT);

        tracker.setConnections(OLD, 0);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(network.routes()).containsExactly(NET + " src 10.9.1.1", DEFAULT + " src 10.9.1.1",
                OTHER + " src 10.9.0.50", NET6 + " src 2001:db8:9::1");
    }

    @Test
    void ipv6RoutesWithTheOldSourceAreMovedToo() throws Exception {
        String id = service.changeAddress("v0", "2001:db8:9::1", "2001:db8:9::5", "", 60);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertEquals(IpLiterals.parse("2001:db8:9::5"), network.routeSource(NET6),
                "kept its source instead of losing it with the old address");
    }

    @Test
    void aRouteAddedDuringTheDrainIsMovedBeforeTheOldAddressGoes() throws Exception {
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> state(id) == ChangeState.DRAINING);
        network.withRoute("203.0.113.0/24 via 10.9.0.2 dev v0", "10.9.0.1");

        tracker.setConnections(OLD, 0);

        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertEquals(IpLiterals.parse("10.9.1.1"), network.routeSource("203.0.113.0/24 via 10.9.0.2 dev v0"));
        assertThat(service.change(id).orElseThrow().progress().steps().movedRoutes()).hasSize(3);
    }

    @Test
    void cancelPointsTheMovedRoutesBack() throws Exception {
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> state(id) == ChangeState.DRAINING);

        service.cancelChange(id);

        assertEquals(ChangeState.CANCELLED, state(id));
        assertThat(network.routes()).isEqualTo(before);
        assertEquals(OLD, network.connectedRouteSource("v0", OLD_ADDRESS));
    }

    @Test
    void aFailureHalfwayThroughTheMoveIsRolledBackFromTheJournal() throws Exception {
        network.failAfter("setRouteSource", 1, new NetworkException("set source: Invalid prefsrc address", 22));
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);

        assertEquals(ChangeState.FAILED, service.awaitChange(id, 10));
        assertThat(service.change(id).orElseThrow().progress().error()).contains("could not steer")
                .contains("Invalid prefsrc");
        assertThat(journal.history()).anySatisfy(c -> assertThat(c.progress().steps().movedRoutes()).hasSize(2))
                .as("journaled before the kernel step");
        assertThat(network.routes()).isEqualTo(before);
        assertThat(network.addresses("v0")).containsExactly(OLD_ADDRESS, InterfaceAddress.parse("10.9.0.50/24"),
                InterfaceAddress.parse("2001:db8:9::1/64"));
    }

    @Test
    void theNewAddressVanishingDuringTheDrainGivesTheOldOneBackItsRoutes() throws Exception {
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> state(id) == ChangeState.DRAINING);
        network.removeAddress("v0", InterfaceAddress.parse("10.9.1.1/24")); // the kernel takes its routes along

        tracker.setConnections(OLD, 0);

        assertEquals(ChangeState.FAILED, service.awaitChange(id, 10));
        assertThat(service.change(id).orElseThrow().progress().error()).contains("is no longer on v0");
        assertThat(network.routes()).as("re-created as they were").containsExactlyInAnyOrderElementsOf(before);
        assertEquals(OLD, network.connectedRouteSource("v0", OLD_ADDRESS));
        assertThat(network.addresses("v0")).contains(OLD_ADDRESS);
    }

    @Test
    void routesJournaledByAnAgentKilledBeforeMovingThemAreMovedOnRestart() throws Exception {
        service.close();
        InterfaceAddress fresh = InterfaceAddress.parse("10.9.1.1/24");
        network.addAddress("v0", fresh);
        List<SourceRoute> listed = network.routesWithSource(OLD);
        ChangeSteps steps = JournaledChanges.ADDED_AND_STEERED.withMovedRoutes(listed);
        journal.saveChange(JournaledChanges.killedIn(JournaledChanges.request("chg-crash", OLD_ADDRESS, fresh).build(),
                ChangeState.ADDING, steps, null));

        service = newService();

        assertEquals(ChangeState.COMPLETED, service.awaitChange("chg-crash", 10));
        assertEquals(IpLiterals.parse("10.9.1.1"), network.routeSource(NET));
        assertEquals(IpLiterals.parse("10.9.1.1"), network.routeSource(DEFAULT));
    }

    @Test
    void aRollbackInterruptedByAKillPointsTheJournaledRoutesBack() throws Exception {
        service.close();
        InterfaceAddress fresh = InterfaceAddress.parse("10.9.1.1/24");
        network.addAddress("v0", fresh);
        List<SourceRoute> listed = network.routesWithSource(OLD);
        listed.forEach(r -> network.setRouteSource(r, fresh.address()));
        network.setConnectedRouteSource("v0", OLD_ADDRESS, fresh.address());
        ChangeSteps steps = JournaledChanges.ADDED_AND_STEERED.withMovedRoutes(listed);
        journal.saveChange(JournaledChanges.killedIn(JournaledChanges.request("chg-crash", OLD_ADDRESS, fresh).build(),
                ChangeState.DRAINING, steps, null).rollingBack(Outcome.CANCELLED, "operator"));

        service = newService();

        assertEquals(ChangeState.CANCELLED, service.awaitChange("chg-crash", 10));
        assertThat(network.routes()).isEqualTo(before);
        assertEquals(OLD, network.connectedRouteSource("v0", OLD_ADDRESS));
        assertThat(network.addresses("v0")).doesNotContain(fresh);
    }

    private ChangeState state(String id) {
        return service.change(id).orElseThrow().progress().state();
    }
}
