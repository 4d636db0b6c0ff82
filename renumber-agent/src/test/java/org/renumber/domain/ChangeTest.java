package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A change's life as values: what was asked stays, each transition gives the next progress. */
class ChangeTest {

    private static final Instant ASKED = Instant.parse("2026-12-07T10:00:00Z");
    private static final ChangeRequest REQUEST = ChangeRequest.builder().id("chg-1")
            .renumber("v0", InterfaceAddress.parse("10.9.0.1/24"), InterfaceAddress.parse("10.9.1.1/24"))
            .targets("group:web").subscriberIds(List.of("app1")).drainTimeoutSeconds(60).requestedAt(ASKED).build();

    @Test
    void anAcceptedChangeIsRequestedAndHasTakenNoStep() {
        Change change = Change.accepted(REQUEST);
        assertThat(change.id()).isEqualTo("chg-1");
        assertThat(change.progress()).isEqualTo(new ChangeProgress(ChangeState.REQUESTED, null, null, 0, null, null,
                null, ChangeSteps.NONE));
        assertThat(change.isFinished()).isFalse();
    }

    @Test
    void aChangeRunsItsStatesAndKeepsWhatWasAsked() {
        Instant started = ASKED.plusSeconds(2);
        Instant ended = ASKED.plusSeconds(30);
        Change change = Change.accepted(REQUEST).withState(ChangeState.ADDING)
                .withSteps(ChangeSteps.NONE.withNewAddressAdded()).started(started).withRemaining(3);
        assertThat(change.progress().state()).isEqualTo(ChangeState.DRAINING);
        assertThat(change.progress().startedAt()).isEqualTo(started);
        assertThat(change.progress().deadline()).as("started + the drain timeout").isEqualTo(started.plusSeconds(60));
        assertThat(change.progress().remainingConnections()).isEqualTo(3);

        Change removing = change.withRemaining(0).drainEnded(Outcome.DRAINED, null);
        assertThat(removing.progress().state()).isEqualTo(ChangeState.REMOVING);
        assertThat(removing.progress().outcome()).isEqualTo(Outcome.DRAINED);
        assertThat(removing.isFinished()).isFalse();

        Change completed = removing.finished(ChangeState.COMPLETED, Outcome.DRAINED, null, ended);
        assertThat(completed.isFinished()).isTrue();
        assertThat(completed.progress().finishedAt()).isEqualTo(ended);
        assertThat(completed.progress().steps().newAddressAdded()).as("the steps stay for the record").isTrue();
        assertThat(completed.request()).isSameAs(REQUEST);
    }

    @Test
    void aRollbackIsJournaledWithItsReasonBeforeTheStateChanges() {
        Change draining = Change.accepted(REQUEST).started(ASKED);
        Change rollingBack = draining.rollingBack(Outcome.CANCELLED, "operator asked");
        assertThat(rollingBack.progress().state()).as("the state moves only when the rollback is done")
                .isEqualTo(ChangeState.DRAINING);
        assertThat(rollingBack.progress().outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(rollingBack.progress().error()).isEqualTo("operator asked");
        assertThat(rollingBack.progress().steps().rollbackPending()).isTrue();
        assertThat(draining.progress().steps().rollbackPending()).as("values, not mutated").isFalse();
    }

    @Test
    void aWarningAcknowledgementChangesTheRequestsWarningOnly() {
        ChangeWarning warning = ChangeWarning.starting(ASKED, 30);
        Change scheduled = new Change(REQUEST.withWarning(warning), ChangeProgress.of(ChangeState.WARNING));
        Change acknowledged = scheduled.withWarning(warning.acknowledgedBy("app1"));
        assertThat(acknowledged.request().warning().acknowledged()).containsExactly("app1");
        assertThat(acknowledged.request().withWarning(warning)).isEqualTo(scheduled.request());
        assertThat(acknowledged.progress()).isEqualTo(scheduled.progress());
    }

    @Test
    void aProgressEditChangesOnlyWhatItSets() {
        ChangeProgress before = ChangeProgress.of(ChangeState.DRAINING).withRemaining(4);
        ChangeProgress after = before.with(p -> p.error = "why");
        assertThat(after.error()).isEqualTo("why");
        assertThat(after.remainingConnections()).isEqualTo(4);
        assertThat(before.error()).isNull();
        assertThat(before.with(p -> { })).isEqualTo(before);
    }

    @Test
    void everyFinalStateFinishesAChangeAndNoOtherDoes() {
        List<ChangeState> finishing = new ArrayList<>();
        for (ChangeState state : ChangeState.values()) {
            if (Change.accepted(REQUEST).withState(state).isFinished()) {
                finishing.add(state);
            }
        }
        assertThat(finishing).containsExactly(ChangeState.COMPLETED, ChangeState.TIMED_OUT, ChangeState.FAILED,
                ChangeState.CANCELLED);
    }

    @Test
    void aChangeNeedsItsRequestAndItsProgress() {
        assertThatThrownBy(() -> new Change(null, ChangeProgress.of(ChangeState.REQUESTED)))
                .isInstanceOf(NullPointerException.class).hasMessage("request");
        assertThatThrownBy(() -> new Change(REQUEST, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("progress");
        assertThatThrownBy(() -> ChangeProgress.of(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("state");
    }
}
