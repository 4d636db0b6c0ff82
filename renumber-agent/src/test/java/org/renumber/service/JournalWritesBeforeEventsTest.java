package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeState;
import org.renumber.domain.EventType;
import org.renumber.domain.IpLiterals;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryKernel;
import org.renumber.testing.InMemoryNetwork;

/**
 * The journal writes on the way to STARTED and DRAINED (issue 14, P2 and P3: each write is a file and a directory
 * fsync, tens of milliseconds on a busy disk): STARTED and DRAINED are published before the write that records them,
 * which still happens, and ADDING goes to the journal with its first step. Records, when each event is published,
 * the state of the change's last journaled version: no clock involved.
 */
class JournalWritesBeforeEventsTest {

    private final InMemoryKernel kernel = new InMemoryKernel(new InMemoryNetwork().withInterface("v0", "10.9.0.1/24"));
    private final InMemoryJournal journal = kernel.journal;
    private final Map<EventType, ChangeState> journaledAtEvent = new ConcurrentHashMap<>();
    private final AddressChangeService service = kernel.startService(event ->
            journaledAtEvent.putIfAbsent(event.type(), lastJournaled(event.change().id())));

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void startedAndDrainedAreHeardBeforeTheirStateIsJournaledAndTheJournalThenHasIt() throws Exception {
        kernel.tracker.setConnections(IpLiterals.parse("10.9.0.1"), 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.0.2/24", "", 60);
        await().until(() -> journaledAtEvent.containsKey(EventType.STARTED)
                && lastJournaled(id) == ChangeState.DRAINING);
        kernel.tracker.setConnections(IpLiterals.parse("10.9.0.1"), 0);

        assertThat(service.awaitChange(id, 30)).isEqualTo(ChangeState.COMPLETED);
        assertThat(journaledAtEvent).containsEntry(EventType.STARTED, ChangeState.ADDING)
                .containsEntry(EventType.DRAINED, ChangeState.DRAINING);
        List<ChangeState> states = journal.history().stream().filter(c -> c.id().equals(id))
                .map(c -> c.progress().state()).distinct().toList();
        assertThat(states).containsSubsequence(ChangeState.ADDING, ChangeState.DRAINING, ChangeState.REMOVING,
                ChangeState.COMPLETED);
    }

    @Test
    void addingIsJournaledWithTheNewAddressStepNotOnItsOwn() throws Exception {
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.0.2/24", "", 60);
        assertThat(service.awaitChange(id, 30)).isEqualTo(ChangeState.COMPLETED);

        List<Change> adding = journal.history().stream().filter(c -> c.id().equals(id))
                .filter(c -> c.progress().state() == ChangeState.ADDING).toList();
        assertThat(adding).isNotEmpty().allMatch(c -> c.progress().steps().newAddressAdded(),
                "records the new address step");
    }

    private ChangeState lastJournaled(String id) {
        List<Change> versions = journal.history().stream().filter(c -> c.id().equals(id)).toList();
        return versions.isEmpty() ? null : versions.get(versions.size() - 1).progress().state();
    }
}
