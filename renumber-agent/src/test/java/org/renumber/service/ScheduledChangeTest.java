package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeProgress;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeWarning;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeState;
import org.renumber.domain.EventType;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.Outcome;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryKernel;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemoryTracker;

/** scheduleChange: the warning, the acknowledgements, the warning time, cancel and restart during the warning. */
class ScheduledChangeTest {

    private static final InetAddress OLD = IpLiterals.parse("10.9.0.1");

    private final InMemoryKernel kernel = new InMemoryKernel(new InMemoryNetwork().withInterface("v0", "10.9.0.1/24"));
    private final InMemoryNetwork network = kernel.network;
    private final InMemoryTracker tracker = kernel.tracker;
    private final InMemoryJournal journal = kernel.journal;
    private final List<ChangeEvent> events = new CopyOnWriteArrayList<>();
    private AddressChangeService service;

    @BeforeEach
    void start() {
        service = newService();
        service.subscribers().subscribe("app1", "web", "");
        service.subscribers().subscribe("app2", "web", "");
        service.subscribers().subscribe("other", "db", "");
    }

    private AddressChangeService newService() {
        return kernel.startService(events::add);
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private Change change(String id) {
        return service.change(id).orElseThrow();
    }

    private List<EventType> eventTypes(String id) {
        return events.stream().filter(e -> e.change().id().equals(id)).map(ChangeEvent::type).toList();
    }

    @Test
    void theChangeWaitsInWarningAndStartsWhenEveryTargetIsReady() throws Exception {
        String id = service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "group:web", 60, 3600);

        await().until(() -> change(id).progress().state() == ChangeState.WARNING);
        assertThat(eventTypes(id)).containsExactly(EventType.WARNING);
        ChangeEvent warning = events.get(0);
        assertThat(warning.recipients()).containsExactlyInAnyOrder("app1", "app2");
        assertThat(warning.message()).contains("ready(\"" + id + "\")");
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24");
        assertThat(journal.changes()).filteredOn(c -> c.id().equals(id)).singleElement()
                .satisfies(c -> assertEquals(ChangeState.WARNING, c.progress().state()));

        service.acknowledge(id, "app1");
        assertThat(change(id).request().warning().acknowledged()).containsExactly("app1");
        assertEquals(ChangeState.WARNING, change(id).progress().state(), "app2 is not ready yet");
        assertThat(journal.changes()).filteredOn(c -> c.id().equals(id)).singleElement()
                .satisfies(c -> assertThat(c.request().warning().acknowledged()).containsExactly("app1"));

        service.acknowledge(id, "app2");
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertEquals(ChangeWarning.StartReason.ALL_TARGETS_READY, change(id).request().warning().startReason());
        assertThat(change(id).request().warning().acknowledged()).containsExactly("app1", "app2");
        assertThat(eventTypes(id)).containsExactly(EventType.WARNING, EventType.STARTED, EventType.DRAINED,
                EventType.COMPLETED);
    }

    @Test
    void theChangeStartsWhenTheWarningTimePassesWithoutEveryAcknowledgement() throws Exception {
        String id = service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "group:web", 60, 1);
        await().until(() -> change(id).progress().state() == ChangeState.WARNING);
        service.acknowledge(id, "app1");

        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 30));
        assertEquals(ChangeWarning.StartReason.WARNING_TIME_PASSED, change(id).request().warning().startReason());
        assertThat(change(id).request().warning().acknowledged()).containsExactly("app1");
    }

    @Test
    void acknowledgementsThatMakeNoSenseAreRefusedWithAReason() throws Exception {
        String id = service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "app1", 60, 3600);
        await().until(() -> change(id).progress().state() == ChangeState.WARNING);

        assertThat(assertThrows(IllegalArgumentException.class, () -> service.acknowledge("chg-nope", "app1")))
                .hasMessageContaining("unknown change id 'chg-nope'");
        assertThat(assertThrows(IllegalArgumentException.class, () -> service.acknowledge(id, "other")))
                .hasMessageContaining("'other' is not a target of change " + id).hasMessageContaining("[app1]");

        service.acknowledge(id, "app1");
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(assertThrows(IllegalStateException.class, () -> service.acknowledge(id, "app1")))
                .hasMessageContaining("already ended as COMPLETED");

        tracker.setConnections(IpLiterals.parse("10.9.1.1"), 1);
        String plain = service.changeAddress("v0", "10.9.1.1", "10.9.2.1/24", "app1", 60);
        await().until(() -> change(plain).progress().state() == ChangeState.DRAINING);
        assertThat(assertThrows(IllegalStateException.class, () -> service.acknowledge(plain, "app1")))
                .hasMessageContaining("not waiting for its targets: it is DRAINING")
                .hasMessageContaining("without a warning");
        service.cancelChange(plain);
    }

    @Test
    void warningSecondsAreValidatedLikeEveryOtherArgument() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "", 60, 0)))
                .hasMessageContaining("warningSeconds 0 is out of range: use 1 to 86400");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "", 60, 86401)))
                .hasMessageContaining("warningSeconds 86401");
        // The same checks as changeAddress, with the same messages.
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.scheduleChange("v0", "10.9.0.2", "10.9.1.1/24", "", 60, 10)))
                .hasMessageContaining("old address 10.9.0.2 is not configured on v0");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "nobody", 60, 10)))
                .hasMessageContaining("unknown subscriber id 'nobody'");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "", -1, 10)))
                .hasMessageContaining("drainTimeoutSeconds -1 is out of range");
        assertThat(service.activeChanges()).isEmpty();
    }

    @Test
    void aChangeCancelledDuringItsWarningEndsCancelledWithNothingToUndo() throws Exception {
        String id = service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "group:web", 60, 3600);
        await().until(() -> change(id).progress().state() == ChangeState.WARNING);

        service.cancelChange(id);

        assertEquals(ChangeState.CANCELLED, change(id).progress().state());
        assertEquals(Outcome.CANCELLED, change(id).progress().outcome());
        assertThat(change(id).progress().error()).contains("during the warning");
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24");
        assertThat(eventTypes(id)).containsExactly(EventType.WARNING, EventType.CANCELLED);
    }

    @Test
    void anotherChangeOnTheInterfaceIsRefusedDuringTheWarning() throws Exception {
        String id = service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "group:web", 60, 3600);
        await().until(() -> change(id).progress().state() == ChangeState.WARNING);
        assertThat(assertThrows(IllegalStateException.class,
                () -> service.changeAddress("v0", "10.9.0.1", "10.9.2.1/24", "", 60)))
                .hasMessageContaining(id).hasMessageContaining("WARNING");
        service.cancelChange(id);
    }

    @Test
    void aRestartDuringTheWarningKeepsTheAcknowledgementsAndWarnsAgain() throws Exception {
        String id = service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "group:web", 60, 3600);
        await().until(() -> change(id).progress().state() == ChangeState.WARNING);
        service.acknowledge(id, "app1");
        Instant end = change(id).request().warning().warningEnd();
        service.close();
        events.clear();

        service = newService();
        await().until(() -> eventTypes(id).contains(EventType.WARNING));
        assertThat(events.get(0).message()).startsWith("resumed after agent restart");
        assertEquals(ChangeState.WARNING, change(id).progress().state());
        assertEquals(end, change(id).request().warning().warningEnd(), "the warning ends when it was going to");
        assertThat(change(id).request().warning().acknowledged()).containsExactly("app1");

        service.acknowledge(id, "app2");
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertEquals(ChangeWarning.StartReason.ALL_TARGETS_READY, change(id).request().warning().startReason());
    }

    @Test
    void aChangeWhoseWarningEndedWhileTheAgentWasDownStartsAtOnce() throws Exception {
        Instant past = Instant.now().minusSeconds(5);
        journal.saveChange(new Change(ChangeRequest.builder().id("chg-warned")
                .renumber("v0", InterfaceAddress.parse("10.9.0.1/24"), InterfaceAddress.parse("10.9.1.1/24"))
                .targets("group:web").subscriberIds(List.of("app1", "app2")).drainTimeoutSeconds(30)
                .warning(new ChangeWarning(60, past, List.of("app2"), null)).requestedAt(past.minusSeconds(60))
                .build(), ChangeProgress.of(ChangeState.WARNING)));
        service.close();

        service = newService();

        assertEquals(ChangeState.COMPLETED, service.awaitChange("chg-warned", 10));
        assertEquals(ChangeWarning.StartReason.WARNING_TIME_PASSED,
                change("chg-warned").request().warning().startReason());
    }

    @Test
    void aWarningWithoutTargetsHasNobodyToWaitFor() throws Exception {
        network.withInterface("v1", "10.20.0.1/24");
        service.subscribers().unsubscribe("app1");
        service.subscribers().unsubscribe("app2");
        service.subscribers().unsubscribe("other");

        String id = service.scheduleChange("v1", "10.20.0.1", "10.20.0.2/24", "", 60, 3600);

        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertEquals(ChangeWarning.StartReason.ALL_TARGETS_READY, change(id).request().warning().startReason());
    }
}
