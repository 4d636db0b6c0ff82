package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.Outcome;
import org.renumber.testing.InMemoryGuard;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryKernel;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemorySettings;
import org.renumber.testing.InMemorySocketKiller;
import org.renumber.testing.InMemoryTracker;
import org.renumber.testing.JournaledChanges;

/** The inbound guard and deadline enforcement as the workflow uses them, on the in-memory kernel. */
class SafeguardsTest {

    private static final InetAddress OLD = IpLiterals.parse("10.9.0.1");

    private final InMemoryKernel kernel = new InMemoryKernel(new InMemoryNetwork().withInterface("v0", "10.9.0.1/24"));
    private final InMemoryNetwork network = kernel.network;
    private final InMemoryTracker tracker = kernel.tracker;
    private final InMemoryGuard guard = kernel.guard;
    private final InMemorySocketKiller killer = kernel.killer;
    private final InMemoryJournal journal = kernel.journal;
    private final InMemorySettings settings = kernel.settings;
    private AddressChangeService service = newService();

    private AddressChangeService newService() {
        return kernel.startService(event -> { });
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void guardRefusesNewConnectionsDuringTheDrainAndGoesWithTheChange() throws Exception {
        service.setGuardNewConnections(true);
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> service.change(id).orElseThrow().progress().state() == ChangeState.DRAINING);
        assertTrue(guard.isGuarded(OLD));
        assertTrue(service.change(id).orElseThrow().progress().steps().guardApplied());

        tracker.setConnections(OLD, 0);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertFalse(guard.isGuarded(OLD));
        assertFalse(service.change(id).orElseThrow().progress().steps().guardApplied());
    }

    @Test
    void guardIsReleasedWhenTheChangeIsCancelled() throws Exception {
        service.setGuardNewConnections(true);
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> guard.isGuarded(OLD));
        service.cancelChange(id);
        assertFalse(guard.isGuarded(OLD));
    }

    @Test
    void enablingTheGuardWithoutNftFailsAtOnceAndChangesNothing() {
        guard.makeUnavailable("nft: not found");
        RuntimeException e = assertThrows(RuntimeException.class, () -> service.setGuardNewConnections(true));
        assertThat(e.getMessage()).contains("nft");
        assertFalse(settings.current().guardNewConnections());
    }

    @Test
    void guardRulesLeftByAKilledAgentAreRemovedAtStartExceptForResumedChanges() throws Exception {
        guard.guard(IpLiterals.parse("10.9.0.77"));
        ChangeRequest request = JournaledChanges.request("chg-guarded", InterfaceAddress.parse("10.9.0.1/24"),
                InterfaceAddress.parse("10.9.1.1/24")).drainTimeoutSeconds(60).build();
        journal.saveChange(JournaledChanges.killedIn(request, ChangeState.DRAINING,
                JournaledChanges.ADDED_AND_STEERED.withGuardApplied(true), null).withRemaining(1));
        network.addAddress("v0", InterfaceAddress.parse("10.9.1.1/24"));
        guard.guard(OLD);
        tracker.setConnections(OLD, 1);
        service.close();

        service = newService();
        assertFalse(guard.isGuarded(IpLiterals.parse("10.9.0.77")), "a leaked rule is removed");
        assertTrue(guard.isGuarded(OLD), "the resumed change keeps its guard");
        tracker.setConnections(OLD, 0);
        assertEquals(ChangeState.COMPLETED, service.awaitChange("chg-guarded", 10));
        assertFalse(guard.isGuarded(OLD));
    }

    @Test
    void forceCloseAtDeadlineDestroysWhatIsLeftAndReportsIt() throws Exception {
        service.setForceCloseAtDeadline(true);
        tracker.setConnections(OLD, 3);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 0);
        assertEquals(ChangeState.TIMED_OUT, service.awaitChange(id, 10));
        Change change = service.change(id).orElseThrow();
        assertEquals(Outcome.TIMED_OUT, change.progress().outcome());
        assertThat(change.progress().error()).contains("3 connection(s)").contains("force-closed 3 TCP connections");
        assertThat(change.progress().steps().forceClosed()).isEqualTo("3 TCP connections");
        assertEquals(0, tracker.countConnections(OLD));
    }

    @Test
    void withoutForceCloseTheDeadlineLeavesTheConnections() throws Exception {
        tracker.setConnections(OLD, 2);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 0);
        assertEquals(ChangeState.TIMED_OUT, service.awaitChange(id, 10));
        assertEquals(2, tracker.countConnections(OLD));
        assertEquals(null, service.change(id).orElseThrow().progress().steps().forceClosed());
    }
}
