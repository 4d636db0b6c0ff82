package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeState;
import org.renumber.domain.ChangeSteps;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.Outcome;
import org.renumber.testing.JournaledChanges;

/**
 * The names of the fault-injection points (docs/architecture.md, "Fault injection"): FaultInjectionIT kills the agent
 * at the points an uninterrupted run traces, so the names must say what each journal write records and tell its
 * occurrences apart.
 */
class PausePointTest {

    private final Change requested = JournaledChanges.killedIn(JournaledChanges.request("chg-pause",
            InterfaceAddress.parse("10.9.0.1/24"), InterfaceAddress.parse("10.9.0.7/24")).build(),
            ChangeState.REQUESTED, ChangeSteps.NONE, null);
    private final PausePoint points = new PausePoint();

    @Test
    void aWriteIsNamedByTheStateItEntersElseByTheStepsItRecordsCountingOccurrences() {
        Change adding = requested.withState(ChangeState.ADDING);
        Change added = adding.withSteps(adding.progress().steps().withNewAddressAdded());
        Change guarded = added.withSteps(added.progress().steps().withGuardApplied(true));
        Change released = guarded.withSteps(guarded.progress().steps().withGuardApplied(false));
        Change rolling = released.rollingBack(Outcome.CANCELLED, "operator");

        assertThat(points.name(requested, adding)).isEqualTo("ADDING#1");
        assertThat(points.name(adding, added)).isEqualTo("newAddressAdded#1");
        assertThat(points.name(added, guarded)).isEqualTo("guardApplied#1");
        assertThat(points.name(guarded, released)).isEqualTo("guardApplied#2");
        assertThat(points.name(released, rolling)).isEqualTo("rollbackPending#1");
        assertThat(points.name(rolling, rolling)).as("a write that records nothing new").isEqualTo("other#1");
    }
}
