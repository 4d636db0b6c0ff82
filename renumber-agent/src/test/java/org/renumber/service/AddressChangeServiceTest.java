package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeState;
import org.renumber.domain.EventType;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetworkException;
import org.renumber.domain.Outcome;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemoryTracker;
import org.renumber.testing.RunningService;

class AddressChangeServiceTest {

    private static final InetAddress OLD = address("10.9.0.1");

    private final RunningService running = new RunningService(new InMemoryNetwork()
            .withInterface("v0", "10.9.0.1/24")
            .withInterface("v1", "10.20.0.1/24"));
    private final InMemoryNetwork network = running.network;
    private final InMemoryTracker tracker = running.tracker;
    private final InMemoryJournal journal = running.journal;
    private final List<ChangeEvent> events = running.events;
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
    void oldAddressIsRemovedOnlyAfterLastConnectionCloses() throws Exception {
        tracker.setConnections(OLD, 2);
        service.subscribers().subscribe("app1", "web", "");
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);

        await().until(() -> running.state(id) == ChangeState.DRAINING);
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24", "10.9.1.1/24");
        assertEquals(address("10.9.1.1"), network.connectedRouteSource("v0", InterfaceAddress.parse("10.9.0.1/24")));
        assertEquals(2, service.change(id).orElseThrow().progress().remainingConnections());

        tracker.setConnections(OLD, 0);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.1.1/24");
        assertThat(running.types()).containsExactly(EventType.STARTED, EventType.DRAINED, EventType.COMPLETED);
        assertThat(events.get(0).recipients()).containsExactly("app1");
        assertEquals(Outcome.DRAINED, service.change(id).orElseThrow().progress().outcome());
    }

    @Test
    void newSecondaryInSameSubnetSurvivesRemovalOfOldPrimary() throws Exception {
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.0.7", "", 30);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.7/24");
        assertEquals(address("10.9.0.7"), network.connectedRouteSource("v0", InterfaceAddress.parse("10.9.0.7/24")));
        assertTrue(!network.promoteSecondaries("v0"), "promote_secondaries is put back as it was");
    }

    @Test
    void drainTimeoutRemovesOldAddressAndReportsRemainingConnections() throws Exception {
        tracker.setConnections(OLD, 3);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 0);
        assertEquals(ChangeState.TIMED_OUT, service.awaitChange(id, 10));
        Change change = service.change(id).orElseThrow();
        assertEquals(Outcome.TIMED_OUT, change.progress().outcome());
        assertEquals(3, change.progress().remainingConnections());
        assertThat(change.progress().error()).contains("3 connection(s)");
        assertThat(running.types()).containsExactly(EventType.STARTED, EventType.TIMEOUT);
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.1.1/24");
        assertEquals(null, network.connectedRouteSource("v0", InterfaceAddress.parse("10.9.0.1/24")),
                "the old subnet's route goes with the old subnet");
    }

    @Test
    void cancelWhileDrainingRemovesNewAddressAndRestoresRoute() throws Exception {
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        service.cancelChange(id);
        assertEquals(ChangeState.CANCELLED, running.state(id));
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24");
        assertEquals(OLD, network.connectedRouteSource("v0", InterfaceAddress.parse("10.9.0.1/24")));
        assertThat(running.types()).containsExactly(EventType.STARTED, EventType.CANCELLED);
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> service.cancelChange(id));
        assertThat(again.getMessage()).contains("already ended as CANCELLED");
    }

    @Test
    void failureToAddNewAddressFailsTheChangeAndLeavesOldAddress() throws Exception {
        network.failNextAdd(new NetworkException("add 10.9.1.1/24: Operation not permitted", 1));
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        assertEquals(ChangeState.FAILED, service.awaitChange(id, 10));
        assertThat(service.change(id).orElseThrow().progress().error()).contains("Operation not permitted");
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24");
        assertThat(running.types()).containsExactly(EventType.FAILED);
    }

    @Test
    void secondChangeOnSameInterfaceIsRefusedWhileFirstRuns() {
        tracker.setConnections(OLD, 1);
        String first = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> service.changeAddress("v0", "10.9.1.1", "10.9.2.1/24", "", 60));
        assertThat(e.getMessage()).contains(first).contains("already running on v0");
    }

    @Test
    void badInputIsRefusedWithAClearMessageAndChangesNothing() {
        service.subscribers().subscribe("app1", "web", "");
        assertRefused("unknown interface 'eth9'", () -> service.changeAddress("eth9", "10.9.0.1", "10.9.1.1/24", "",
                60));
        assertRefused("not a valid IP address", () -> service.changeAddress("v0", "10.9.0.999", "10.9.1.1/24", "", 60));
        assertRefused("not a valid IP address", () -> service.changeAddress("v0", "10.9.0.1", "example.com/24", "",
                60));
        assertRefused("malformed prefix", () -> service.changeAddress("v0", "10.9.0.1", "10.9.1.1/x", "", 60));
        assertRefused("out of range", () -> service.changeAddress("v0", "10.9.0.1", "10.9.1.1/33", "", 60));
        assertRefused("same family", () -> service.changeAddress("v0", "10.9.0.1", "2001:db8::1/64", "", 60));
        assertRefused("not configured on v0", () -> service.changeAddress("v0", "10.9.0.2", "10.9.1.1/24", "", 60));
        assertRefused("already configured on v1", () -> service.changeAddress("v0", "10.9.0.1", "10.20.0.1/24", "",
                60));
        assertRefused("is the old address", () -> service.changeAddress("v0", "10.9.0.1", "10.9.0.1", "", 60));
        assertRefused("out of range", () -> service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", -1));
        assertRefused("out of range", () -> service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 10_000_000));
        assertRefused("unknown subscriber id 'nobody'", () -> service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24",
                "nobody", 60));
        assertRefused("group 'ghosts'", () -> service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "group:ghosts",
                60));
        assertRefused("broadcast", () -> service.changeAddress("v0", "10.9.0.1", "10.9.1.255/24", "", 60));
        assertRefused("already subscribed", () -> service.subscribers().subscribe("app1", "", ""));
        assertRefused("subscriber id", () -> service.subscribers().subscribe("bad,id", "", ""));

        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24");
        assertThat(journal.changes()).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void targetsSelectSubscribersByIdAndGroupAndDefaultToScope() {
        service.subscribers().subscribe("a", "web", "");
        service.subscribers().subscribe("b", "web", "v0");
        service.subscribers().subscribe("c", "db", "10.9.0.1");
        service.subscribers().subscribe("d", "db", "v1");
        SubscriberRegistry registry = service.subscribers();
        assertThat(registry.resolve(Targets.parse(""), "v0", OLD)).containsExactly("a", "b", "c");
        assertThat(registry.resolve(Targets.parse("group:web"), "v0", OLD)).containsExactly("a", "b");
        assertThat(registry.resolve(Targets.parse("d, group:web"), "v0", OLD)).containsExactly("a", "b", "d");
    }

    @Test
    void aGroupWithOnlyLegacyApplicationsCanBeTargeted() throws Exception {
        assertRefused("group 'legacy'", () -> service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "group:legacy",
                60));
        service.subscribers().addGroupSource(() -> java.util.Set.of("legacy"));
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "group:legacy", 60);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertEquals("group:legacy", service.change(id).orElseThrow().request().targets());
    }

    @Test
    void restartedServiceResumesDrainingChangeFromJournal() throws Exception {
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        service.close();
        events.clear();

        service = running.start();
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        tracker.setConnections(OLD, 0);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(running.types()).containsExactly(EventType.STARTED, EventType.DRAINED, EventType.COMPLETED);
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.1.1/24");
    }

    @Test
    void everyStateIsJournaledBeforeTheNextOne() throws Exception {
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 30);
        service.awaitChange(id, 10);
        assertThat(journal.history().stream().map(c -> c.progress().state()).distinct().toList()).containsExactly(
                ChangeState.REQUESTED, ChangeState.ADDING, ChangeState.DRAINING, ChangeState.REMOVING,
                ChangeState.COMPLETED);
    }

    @Test
    void detectedManualChangeNotifiesDrainsAndReportsTheAliasRemovableWithoutRemovingIt() throws Exception {
        network.addAddress("v0", InterfaceAddress.parse("10.9.1.1/24"));
        tracker.setConnections(OLD, 1);
        service.subscribers().subscribe("app", "", "10.9.0.1");
        String id = service.adoptManualChange("v0", InterfaceAddress.parse("10.9.0.1/24"),
                InterfaceAddress.parse("10.9.1.1/24"), 60, false);
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        tracker.setConnections(OLD, 0);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(running.types()).containsExactly(EventType.INTERFACE_CHANGED, EventType.STARTED, EventType.DRAINED,
                EventType.ALIAS_REMOVABLE);
        assertThat(events.get(3).message()).contains("can be removed");
        assertThat(events.get(3).recipients()).containsExactly("app");
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24", "10.9.1.1/24");
    }

    @Test
    void detectedManualChangeRemovesTheAliasWhenAskedTo() throws Exception {
        network.addAddress("v0", InterfaceAddress.parse("10.9.1.1/24"));
        String id = service.adoptManualChange("v0", InterfaceAddress.parse("10.9.0.1/24"),
                InterfaceAddress.parse("10.9.1.1/24"), 60, true);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(running.types()).containsExactly(EventType.INTERFACE_CHANGED, EventType.STARTED, EventType.DRAINED,
                EventType.COMPLETED);
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.1.1/24");
    }

    private void assertRefused(String expected, org.junit.jupiter.api.function.Executable call) {
        RuntimeException e = assertThrows(RuntimeException.class, call);
        assertThat(e.getMessage()).contains(expected);
    }

    private static InetAddress address(String text) {
        return org.renumber.domain.IpLiterals.parse(text);
    }
}
