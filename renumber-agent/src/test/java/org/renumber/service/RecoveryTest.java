package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeSteps;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.Outcome;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryKernel;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemoryTracker;
import org.renumber.testing.JournaledChanges;

/**
 * A killed agent leaves a journal in any state, with the kernel possibly one step ahead of it (the journal
 * is written first). Whatever the combination, the restarted agent ends the change and the interface keeps
 * at least one of the two addresses.
 */
class RecoveryTest {

    private static final InterfaceAddress OLD = InterfaceAddress.parse("10.9.0.1/24");
    private static final InterfaceAddress NEW = InterfaceAddress.parse("10.9.1.1/24");

    private final InMemoryKernel kernel = new InMemoryKernel(new InMemoryNetwork().withInterface("v0", "10.9.0.1/24"));
    private final InMemoryNetwork network = kernel.network;
    private final InMemoryTracker tracker = kernel.tracker;
    private final InMemoryJournal journal = kernel.journal;
    private AddressChangeService service;

    @AfterEach
    void stop() {
        service.close();
    }

    private Change journaled(ChangeState state, ChangeSteps steps, Outcome outcome) {
        return JournaledChanges.killedIn(JournaledChanges.request("chg-crash", OLD, NEW).build(), state, steps,
                outcome);
    }

    private ChangeState restart(Change journaledChange) throws Exception {
        journal.saveChange(journaledChange);
        service = kernel.startService(event -> { });
        return service.awaitChange("chg-crash", 10);
    }

    @ParameterizedTest(name = "killed in {0}, before the kernel step")
    @EnumSource(value = ChangeState.class, names = {"REQUESTED", "ADDING", "DRAINING"})
    void changeKilledBeforeItsKernelStepIsFinished(ChangeState state) throws Exception {
        if (state == ChangeState.DRAINING) {
            network.addAddress("v0", NEW);
        }
        assertEquals(ChangeState.COMPLETED, restart(journaled(state, ChangeSteps.NONE, null)));
        assertThat(network.addresses("v0")).containsExactly(NEW);
    }

    @ParameterizedTest(name = "killed in ADDING after the address was added: {0}")
    @ValueSource(booleans = {true, false})
    void changeKilledAfterAddingTheNewAddressIsFinished(boolean routeSteered) throws Exception {
        network.addAddress("v0", NEW);
        ChangeSteps steps = ChangeSteps.NONE.withNewAddressAdded().withRouteSteered(routeSteered);
        assertEquals(ChangeState.COMPLETED, restart(journaled(ChangeState.ADDING, steps, null)));
        assertThat(network.addresses("v0")).containsExactly(NEW);
    }

    @ParameterizedTest(name = "killed in REMOVING, old address already removed: {0}")
    @ValueSource(booleans = {true, false})
    void changeKilledWhileRemovingIsFinished(boolean oldAlreadyRemoved) throws Exception {
        network.addAddress("v0", NEW);
        if (oldAlreadyRemoved) {
            network.removeAddress("v0", OLD);
        }
        Change removing = journaled(ChangeState.REMOVING, JournaledChanges.ADDED_AND_STEERED, Outcome.DRAINED);
        assertEquals(ChangeState.COMPLETED, restart(removing));
        assertThat(network.addresses("v0")).containsExactly(NEW);
    }

    @ParameterizedTest(name = "killed while rolling back a {0}")
    @EnumSource(value = Outcome.class, names = {"CANCELLED", "FAILED"})
    void rollbackInterruptedByAKillIsCompleted(Outcome why) throws Exception {
        network.addAddress("v0", NEW);
        network.setConnectedRouteSource("v0", OLD, NEW.address());
        Change rollingBack = journaled(ChangeState.DRAINING, JournaledChanges.ADDED_AND_STEERED, null)
                .rollingBack(why, "operator asked");
        ChangeState end = restart(rollingBack);
        assertEquals(why == Outcome.CANCELLED ? ChangeState.CANCELLED : ChangeState.FAILED, end);
        assertThat(network.addresses("v0")).containsExactly(OLD);
        assertEquals(IpLiterals.parse("10.9.0.1"), network.connectedRouteSource("v0", OLD));
    }

    @Test
    void forceCloseAskedForIsDoneByTheRestartedAgentWhenTheKillCameBetweenTheDeadlineAndTheForceClose() throws Exception {
        network.addAddress("v0", NEW);
        tracker.setConnections(OLD.address(), 2);
        kernel.settings.save(kernel.settings.current().withForceCloseAtDeadline(true));
        Change timedOut = journaled(ChangeState.REMOVING, ChangeSteps.NONE.withNewAddressAdded().withRouteSteered(true), null)
                .drainEnded(Outcome.TIMED_OUT, "2 connection(s) still used 10.9.0.1/24");
        assertEquals(ChangeState.TIMED_OUT, restart(timedOut));
        assertThat(service.change("chg-crash").orElseThrow().progress().steps().forceClosed()).isEqualTo("2 TCP connections");
        assertEquals(0, tracker.countConnections(OLD.address()));
    }

    @ParameterizedTest(name = "killed in REMOVING with promote_secondaries switched on: same subnet")
    @ValueSource(strings = {"10.9.0.7/24"})
    void promoteSecondariesSwitchedOnByAKilledAgentIsSwitchedBackOff(String sameSubnet) throws Exception {
        InterfaceAddress fresh = InterfaceAddress.parse(sameSubnet);
        network.addAddress("v0", fresh);
        network.setPromoteSecondaries("v0", true);
        Change removing = JournaledChanges.killedIn(JournaledChanges.request("chg-crash", OLD, fresh).build(),
                ChangeState.REMOVING, JournaledChanges.ADDED_AND_STEERED.withPromoteSecondariesSet(true),
                Outcome.DRAINED);
        assertEquals(ChangeState.COMPLETED, restart(removing));
        assertThat(network.addresses("v0")).containsExactly(fresh);
        assertEquals(false, network.promoteSecondaries("v0"));
    }
}
