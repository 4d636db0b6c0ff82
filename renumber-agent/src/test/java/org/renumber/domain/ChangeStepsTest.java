package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal of kernel steps: each {@code with} sets its own component and leaves the others. */
class ChangeStepsTest {

    private static final SourceRoute ROUTE_A = new SourceRoute("10.70.0.0/16 via 10.9.0.254 dev v0", "a");
    private static final SourceRoute ROUTE_B = new SourceRoute("10.71.0.0/16 via 10.9.0.254 dev v0", "b");
    private static final AddressRule RULE = new AddressRule("from 10.9.0.1 lookup 100 priority 1000", "r", true);

    @Test
    void noneHasTakenAnyStep() {
        assertThat(ChangeSteps.NONE).isEqualTo(new ChangeSteps(false, false, false, false, null, List.of(), false,
                null, List.of()));
        assertThat(ChangeSteps.NONE.oldAddressDeprecated()).isFalse();
    }

    @Test
    void eachStepSetsItsOwnComponentOnly() {
        assertThat(ChangeSteps.NONE.withNewAddressAdded()).isEqualTo(steps(true, false, false, false, false));
        assertThat(ChangeSteps.NONE.withRouteSteered(true)).isEqualTo(steps(false, true, false, false, false));
        assertThat(ChangeSteps.NONE.withPromoteSecondariesSet(true)).isEqualTo(steps(false, false, true, false, false));
        assertThat(ChangeSteps.NONE.withRollbackPending(true)).isEqualTo(steps(false, false, false, true, false));
        assertThat(ChangeSteps.NONE.withGuardApplied(true)).isEqualTo(steps(false, false, false, false, true));
        ChangeSteps all = ChangeSteps.NONE.withNewAddressAdded().withRouteSteered(true).withGuardApplied(true);
        assertThat(all.withRouteSteered(false)).isEqualTo(steps(true, false, false, false, true));
    }

    @Test
    void aDeprecationKeepsTheLifetimesToGiveBack() {
        ChangeSteps steps = ChangeSteps.NONE.withOldAddressDeprecated(new AddressLifetimes(1800, 3600));
        assertThat(steps.oldAddressDeprecated()).isTrue();
        assertThat(steps.oldAddressLifetimes()).isEqualTo(new AddressLifetimes(1800, 3600));
        assertThat(steps.withOldAddressDeprecated(null).oldAddressDeprecated()).isFalse();
    }

    @Test
    void movedRoutesAndCopiedRulesAccumulateEachOnceInTheOrderTaken() {
        ChangeSteps steps = ChangeSteps.NONE.withMovedRoutes(List.of(ROUTE_B)).withMovedRoutes(List.of(ROUTE_A,
                ROUTE_B)).withCopiedRules(List.of(RULE)).withCopiedRules(List.of(RULE));
        assertThat(steps.movedRoutes()).containsExactly(ROUTE_B, ROUTE_A);
        assertThat(steps.copiedRules()).containsExactly(RULE);
    }

    @Test
    void whatWasForceClosedIsKept() {
        assertThat(ChangeSteps.NONE.withForceClosed("2 TCP connections").forceClosed()).isEqualTo("2 TCP connections");
    }

    @Test
    void aJournalWithoutTheListsReadsThemEmpty() {
        ChangeSteps read = new ChangeSteps(true, true, false, false, null, null, false, null, null);
        assertThat(read.movedRoutes()).isEmpty();
        assertThat(read.copiedRules()).isEmpty();
    }

    private static ChangeSteps steps(boolean added, boolean steered, boolean promote, boolean rollback,
                                    boolean guard) {
        return new ChangeSteps(added, steered, promote, rollback, null, List.of(), guard, null, List.of());
    }
}
