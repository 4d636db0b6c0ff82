package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.RunningService;

/**
 * The new address's local route (table local) names the new address as source while new connections are steered,
 * so a client on this node connecting to it leaves from it, not from the subnet's primary; rollback and removal
 * give the kernel's own route back, and nothing is left for an address that has gone (docs/architecture.md).
 */
class LocalRouteSourceTest {

    private static final InetAddress OLD = IpLiterals.parse("10.9.0.1");
    private static final InetAddress PEER = IpLiterals.parse("10.9.0.5");
    private static final InetAddress NEW = IpLiterals.parse("10.9.0.7");
    private static final InetAddress OTHER_NEW = IpLiterals.parse("10.9.1.1");

    private final RunningService running = new RunningService(new InMemoryNetwork()
            .withInterface("v0", "10.9.0.1/24", "10.9.0.5/24"));
    private final InMemoryNetwork network = running.network;
    private AddressChangeService service;

    @BeforeEach
    void start() {
        service = running.start();
    }

    @AfterEach
    void stop() {
        running.close();
    }

    @Test
    void aNewSecondarysLocalRoutePrefersItWhileDrainingAndItIsTheKernelsAfterTheRemoval() throws Exception {
        assertEquals(OLD, network.localRouteSource("v0", PEER));
        running.tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.0.7", "", 60);
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        assertEquals(NEW, network.localRouteSource("v0", NEW));
        assertEquals(OLD, network.localRouteSource("v0", PEER), "another address's local route is not touched");

        running.tracker.setConnections(OLD, 0);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        // 10.9.0.5 was listed first, so the kernel promoted it: both local routes prefer it, as it makes them.
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.5/24", "10.9.0.7/24");
        assertEquals(PEER, network.localRouteSource("v0", NEW));
        assertEquals(PEER, network.localRouteSource("v0", PEER));
        assertEquals(null, network.localRouteSource("v0", OLD));
    }

    @Test
    void aCancelGivesTheKernelsRouteBackBeforeTheNewAddressGoes() throws Exception {
        running.tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.0.7", "", 60);
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        service.cancelChange(id);
        assertEquals(ChangeState.CANCELLED, running.state(id));
        assertEquals(null, network.localRouteSource("v0", NEW), "no local route for an address that has gone");
        assertEquals(OLD, network.localRouteSource("v0", OLD));
    }

    @Test
    void aNewAddressDeletedByHandLeavesNoLocalRouteBehind() throws Exception {
        running.tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.0.7", "", 60);
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        network.removeAddress("v0", InterfaceAddress.parse("10.9.0.7/24"));
        assertEquals(NEW, network.localRouteSource("v0", NEW), "the kernel leaves the steered route behind");
        running.tracker.setConnections(OLD, 0);
        assertEquals(ChangeState.FAILED, service.awaitChange(id, 10));
        assertEquals(null, network.localRouteSource("v0", NEW));
    }

    @Test
    void aNewAddressInAnotherSubnetIsItsOwnPrimaryAndKeepsItsRoute() throws Exception {
        running.tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        assertEquals(OTHER_NEW, network.localRouteSource("v0", OTHER_NEW));
        running.tracker.setConnections(OLD, 0);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertEquals(OTHER_NEW, network.localRouteSource("v0", OTHER_NEW));
    }
}
