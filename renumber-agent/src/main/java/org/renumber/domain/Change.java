package org.renumber.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An address change as journaled: what was asked ({@link ChangeRequest}) and how far it has come
 * ({@link ChangeProgress}). Immutable, each transition produces a new value. Everything a restarted agent needs to
 * finish or roll back the change is here (docs/architecture.md, "The journal").
 *
 * @param request  what was asked, fixed when the change was accepted
 * @param progress its state, outcome, drain figures and the kernel steps taken
 */
public record Change(ChangeRequest request, ChangeProgress progress) {

    public Change {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(progress, "progress");
    }

    /** A change just accepted: REQUESTED, no step taken. */
    public static Change accepted(ChangeRequest request) {
        return new Change(request, ChangeProgress.of(ChangeState.REQUESTED));
    }

    /** The change id, also the MBean key and the journal file's name. */
    public String id() {
        return request.id();
    }

    public boolean isFinished() {
        return progress.isFinished();
    }

    public Change withProgress(UnaryOperator<ChangeProgress> next) {
        return new Change(request, next.apply(progress));
    }

    public Change withState(ChangeState next) {
        return withProgress(p -> p.withState(next));
    }

    public Change withSteps(ChangeSteps next) {
        return withProgress(p -> p.withSteps(next));
    }

    public Change withRemaining(int remaining) {
        return withProgress(p -> p.withRemaining(remaining));
    }

    public Change withWarning(ChangeWarning next) {
        return new Change(request.withWarning(next), progress);
    }

    /** The new address is usable: DRAINING until the drain deadline. */
    public Change started(Instant now) {
        return withProgress(p -> p.started(now, request.drainTimeoutSeconds()));
    }

    /** The drain ended (DRAINED or TIMED_OUT): the outcome is known, the old address is about to go. */
    public Change drainEnded(Outcome drainOutcome, String message) {
        return withProgress(p -> p.drainEnded(drainOutcome, message));
    }

    /** Records why the change is about to be rolled back, before the kernel is touched. */
    public Change rollingBack(Outcome why, String message) {
        return withProgress(p -> p.rollingBack(why, message));
    }

    public Change finished(ChangeState finalState, Outcome finalOutcome, String message, Instant now) {
        return withProgress(p -> p.finished(finalState, finalOutcome, message, now));
    }
}
