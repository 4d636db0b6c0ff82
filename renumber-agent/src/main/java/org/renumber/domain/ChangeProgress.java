package org.renumber.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How far a change has come: immutable, each transition produces the next value. What was asked is its
 * {@link ChangeRequest}. A change starts as {@link #of(ChangeState)}; a test that needs a change caught mid-way
 * (recovery after a crash) sets the rest with {@link #with(Consumer)}.
 *
 * @param state                current state
 * @param outcome              how it ended, null while running (set before the end when a rollback is pending)
 * @param error                why it failed or timed out, null otherwise
 * @param remainingConnections live connections on the old address at the last count
 * @param startedAt            when the new address became usable (STARTED), null before
 * @param deadline             drain deadline, null before STARTED
 * @param finishedAt           when it reached a final state, null before
 * @param steps                kernel steps done so far, so recovery and rollback undo exactly those
 */
public record ChangeProgress(
        ChangeState state,
        Outcome outcome,
        String error,
        int remainingConnections,
        Instant startedAt,
        Instant deadline,
        Instant finishedAt,
        ChangeSteps steps) {

    public ChangeProgress {
        Objects.requireNonNull(state, "state");
        steps = steps == null ? ChangeSteps.NONE : steps;
    }

    /** A change in {@code state} that has taken no step yet. */
    public static ChangeProgress of(ChangeState state) {
        return new ChangeProgress(state, null, null, 0, null, null, null, ChangeSteps.NONE);
    }

    public boolean isFinished() {
        return state.isFinal();
    }

    public ChangeProgress withState(ChangeState next) {
        return with(p -> p.state = next);
    }

    public ChangeProgress withSteps(ChangeSteps next) {
        return with(p -> p.steps = next);
    }

    public ChangeProgress withRemaining(int remaining) {
        return with(p -> p.remainingConnections = remaining);
    }

    /** The new address is usable: the drain runs until {@code now} plus the drain timeout. */
    public ChangeProgress started(Instant now, long drainTimeoutSeconds) {
        return with(p -> {
            p.state = ChangeState.DRAINING;
            p.startedAt = now;
            p.deadline = now.plusSeconds(drainTimeoutSeconds);
        });
    }

    /** The drain ended (DRAINED or TIMED_OUT): the outcome is known, the old address is about to go. */
    public ChangeProgress drainEnded(Outcome drainOutcome, String message) {
        return with(p -> {
            p.state = ChangeState.REMOVING;
            p.outcome = drainOutcome;
            p.error = message;
        });
    }

    /** Records why the change is about to be rolled back, before the kernel is touched. */
    public ChangeProgress rollingBack(Outcome why, String message) {
        return with(p -> {
            p.outcome = why;
            p.error = message;
            p.steps = steps.withRollbackPending(true);
        });
    }

    public ChangeProgress finished(ChangeState finalState, Outcome finalOutcome, String message, Instant now) {
        return with(p -> {
            p.state = finalState;
            p.outcome = finalOutcome;
            p.error = message;
            p.finishedAt = now;
        });
    }

    /** The next value: a copy of this one with what {@code edit} sets changed. */
    public ChangeProgress with(Consumer<Editor> edit) {
        Editor p = new Editor(this);
        edit.accept(p);
        return new ChangeProgress(p.state, p.outcome, p.error, p.remainingConnections, p.startedAt, p.deadline,
                p.finishedAt, p.steps);
    }

    /** The components of the next value, as {@link #with(Consumer)} hands them to be changed. */
    public static final class Editor {
        public ChangeState state;
        public Outcome outcome;
        public String error;
        public int remainingConnections;
        public Instant startedAt;
        public Instant deadline;
        public Instant finishedAt;
        public ChangeSteps steps;

        private Editor(ChangeProgress from) {
            state = from.state;
            outcome = from.outcome;
            error = from.error;
            remainingConnections = from.remainingConnections;
            startedAt = from.startedAt;
            deadline = from.deadline;
            finishedAt = from.finishedAt;
            steps = from.steps;
        }
    }
}
