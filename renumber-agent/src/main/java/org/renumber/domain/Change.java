package org.renumber.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An address change as journaled: immutable, each transition produces a new value. Everything a restarted
 * agent needs to finish or roll back the change is here.
 *
 * @param id                  change id, also the MBean key
 * @param interfaceName       interface being renumbered
 * @param oldAddress          address being replaced (with its prefix as configured)
 * @param newAddress          address being added
 * @param targets             the targets expression as the operator gave it (empty = all matching)
 * @param subscriberIds       the subscribers the change notifies, resolved when it was accepted
 * @param drainTimeoutSeconds drain timeout
 * @param state               current state
 * @param outcome             how it ended, null while running
 * @param error               why it failed or timed out, null otherwise
 * @param remainingConnections live connections on the old address at the last count
 * @param requestedAt         when it was accepted
 * @param startedAt           when the new address became usable (STARTED), null before
 * @param deadline            drain deadline, null before STARTED
 * @param finishedAt          when it reached a final state, null before
 * @param steps               kernel steps done so far, so recovery and rollback undo exactly those
 * @param kind                requested by an operator, or detected after an operator renumbered by hand
 * @param removeOldAddress    whether the workflow removes the old address at the end (a detected change
 *                            leaves the alias to the operator unless told otherwise; a migration keeps
 *                            it for the applications that were not moved)
 * @param warning             the warning of a scheduled change (scheduleChange), null for a change without one
 */
public record Change(
        String id,
        String interfaceName,
        InterfaceAddress oldAddress,
        InterfaceAddress newAddress,
        String targets,
        List<String> subscriberIds,
        long drainTimeoutSeconds,
        ChangeState state,
        Outcome outcome,
        String error,
        int remainingConnections,
        Instant requestedAt,
        Instant startedAt,
        Instant deadline,
        Instant finishedAt,
        Steps steps,
        ChangeKind kind,
        boolean removeOldAddress,
        Warning warning) {

    public Change {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(oldAddress, "oldAddress");
        Objects.requireNonNull(newAddress, "newAddress");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(requestedAt, "requestedAt");
        targets = targets == null ? "" : targets;
        subscriberIds = List.copyOf(subscriberIds);
        steps = steps == null ? Steps.NONE : steps;
        kind = kind == null ? ChangeKind.REQUESTED : kind;
    }

    /** A change requested through changeAddress: the agent adds the new address and removes the old one. */
    public Change(String id, String interfaceName, InterfaceAddress oldAddress, InterfaceAddress newAddress,
                  String targets, List<String> subscriberIds, long drainTimeoutSeconds, ChangeState state,
                  Outcome outcome, String error, int remainingConnections, Instant requestedAt, Instant startedAt,
                  Instant deadline, Instant finishedAt, Steps steps) {
        this(id, interfaceName, oldAddress, newAddress, targets, subscriberIds, drainTimeoutSeconds, state, outcome,
                error, remainingConnections, requestedAt, startedAt, deadline, finishedAt, steps, ChangeKind.REQUESTED,
                true, null);
    }

    /** A change without a warning. */
    public Change(String id, String interfaceName, InterfaceAddress oldAddress, InterfaceAddress newAddress,
                  String targets, List<String> subscriberIds, long drainTimeoutSeconds, ChangeState state,
                  Outcome outcome, String error, int remainingConnections, Instant requestedAt, Instant startedAt,
                  Instant deadline, Instant finishedAt, Steps steps, ChangeKind kind, boolean removeOldAddress) {
        this(id, interfaceName, oldAddress, newAddress, targets, subscriberIds, drainTimeoutSeconds, state, outcome,
                error, remainingConnections, requestedAt, startedAt, deadline, finishedAt, steps, kind,
                removeOldAddress, null);
    }

    /** Why a scheduled change left its warning. */
    public enum StartReason {
        /** Every target called {@code ready(changeId)} (or the change had no targets to wait for). */
        ALL_TARGETS_READY,
        /** The warning time passed before every target was ready. */
        WARNING_TIME_PASSED
    }

    /**
     * The warning of a scheduled change, journaled with it so a restarted agent keeps the same end and the
     * acknowledgements already received.
     *
     * @param warningSeconds how long the operator allowed the targets to prepare
     * @param warningEnd     when the change starts at the latest
     * @param acknowledged   the targets that called {@code ready(changeId)}, in the order they did
     * @param startReason    why the warning ended; null while it runs
     */
    public record Warning(long warningSeconds, Instant warningEnd, List<String> acknowledged, StartReason startReason) {

        public Warning {
            Objects.requireNonNull(warningEnd, "warningEnd");
            acknowledged = acknowledged == null ? List.of() : List.copyOf(acknowledged);
        }

        public Warning acknowledgedBy(String subscriberId) {
            if (acknowledged.contains(subscriberId)) {
                return this;
            }
            List<String> more = new ArrayList<>(acknowledged);
            more.add(subscriberId);
            return new Warning(warningSeconds, warningEnd, more, startReason);
        }

        public Warning endedBecause(StartReason reason) {
            return new Warning(warningSeconds, warningEnd, acknowledged, reason);
        }

        /** Whether every one of {@code targets} has acknowledged (true for no targets). */
        public boolean allReady(List<String> targets) {
            return acknowledged.containsAll(targets);
        }
    }

    /**
     * Kernel steps a change has taken. Each is journaled before the kernel is touched, so recovery and rollback
     * may find a step recorded that the kernel never saw; undoing it is then a no-op. Journals written before a
     * component existed read it as false, null or empty.
     *
     * @param newAddressAdded         the agent added the new address (so rollback removes it)
     * @param routeSteered            the old subnet's IPv4 connected route now prefers the new source
     * @param promoteSecondariesSet   the agent switched promote_secondaries on (so it switches it back off)
     * @param rollbackPending         the change is being rolled back (outcome and error already say why);
     *                                a restarted agent finishes the rollback instead of resuming
     * @param oldAddressLifetimes     the old IPv6 address's lifetimes before the agent deprecated it (preferred
     *                                lifetime 0), so rollback can give them back; null while not deprecated
     * @param movedRoutes             routes whose preferred source was the old address and that the agent
     *                                re-pointed to the new one (rollback points them back)
     * @param guardApplied            new inbound connections to the old address are being refused (the rule is
     *                                released when the change ends, however it ends, also after a restart)
     * @param forceClosed             what the agent destroyed on the old address at the deadline, null if nothing
     * @param copiedRules             policy rules naming the old address ({@code from OLD}, {@code to OLD}) whose copy
     *                                for the new address the agent added (rollback deletes the copies; a rule the new
     *                                address already had is not listed, so it is never the agent's to delete)
     */
    public record Steps(boolean newAddressAdded, boolean routeSteered, boolean promoteSecondariesSet,
                        boolean rollbackPending, AddressLifetimes oldAddressLifetimes, List<SourceRoute> movedRoutes,
                        boolean guardApplied, String forceClosed, List<AddressRule> copiedRules) {
        public static final Steps NONE = new Steps(false, false, false, false);

        public Steps {
            movedRoutes = movedRoutes == null ? List.of() : List.copyOf(movedRoutes);
            copiedRules = copiedRules == null ? List.of() : List.copyOf(copiedRules);
        }

        public Steps(boolean newAddressAdded, boolean routeSteered, boolean promoteSecondariesSet,
                     boolean rollbackPending, AddressLifetimes oldAddressLifetimes, List<SourceRoute> movedRoutes) {
            this(newAddressAdded, routeSteered, promoteSecondariesSet, rollbackPending, oldAddressLifetimes,
                    movedRoutes, false, null, List.of());
        }

        public Steps(boolean newAddressAdded, boolean routeSteered, boolean promoteSecondariesSet,
                     boolean rollbackPending) {
            this(newAddressAdded, routeSteered, promoteSecondariesSet, rollbackPending, null, List.of(), false, null,
                    List.of());
        }

        public Steps withNewAddressAdded() {
            return new Steps(true, routeSteered, promoteSecondariesSet, rollbackPending, oldAddressLifetimes,
                    movedRoutes, guardApplied, forceClosed, copiedRules);
        }

        public Steps withRouteSteered(boolean steered) {
            return new Steps(newAddressAdded, steered, promoteSecondariesSet, rollbackPending, oldAddressLifetimes,
                    movedRoutes, guardApplied, forceClosed, copiedRules);
        }

        public Steps withPromoteSecondariesSet(boolean set) {
            return new Steps(newAddressAdded, routeSteered, set, rollbackPending, oldAddressLifetimes, movedRoutes,
                    guardApplied, forceClosed, copiedRules);
        }

        public Steps withRollbackPending(boolean pending) {
            return new Steps(newAddressAdded, routeSteered, promoteSecondariesSet, pending, oldAddressLifetimes,
                    movedRoutes, guardApplied, forceClosed, copiedRules);
        }

        public Steps withOldAddressDeprecated(AddressLifetimes before) {
            return new Steps(newAddressAdded, routeSteered, promoteSecondariesSet, rollbackPending, before,
                    movedRoutes, guardApplied, forceClosed, copiedRules);
        }

        /** Adds routes to {@link #movedRoutes} (those already there are kept once). */
        public Steps withMovedRoutes(List<SourceRoute> more) {
            return new Steps(newAddressAdded, routeSteered, promoteSecondariesSet, rollbackPending,
                    oldAddressLifetimes, union(movedRoutes, more), guardApplied, forceClosed, copiedRules);
        }

        /** Adds rules to {@link #copiedRules} (those already there are kept once). */
        public Steps withCopiedRules(List<AddressRule> more) {
            return new Steps(newAddressAdded, routeSteered, promoteSecondariesSet, rollbackPending,
                    oldAddressLifetimes, movedRoutes, guardApplied, forceClosed, union(copiedRules, more));
        }

        private static <T> List<T> union(List<T> journaled, List<T> more) {
            List<T> all = new ArrayList<>(journaled);
            more.stream().filter(item -> !all.contains(item)).forEach(all::add);
            return all;
        }

        public Steps withGuardApplied(boolean applied) {
            return new Steps(newAddressAdded, routeSteered, promoteSecondariesSet, rollbackPending,
                    oldAddressLifetimes, movedRoutes, applied, forceClosed, copiedRules);
        }

        public Steps withForceClosed(String closed) {
            return new Steps(newAddressAdded, routeSteered, promoteSecondariesSet, rollbackPending,
                    oldAddressLifetimes, movedRoutes, guardApplied, closed, copiedRules);
        }

        public boolean oldAddressDeprecated() {
            return oldAddressLifetimes != null;
        }
    }

    public boolean isFinished() {
        return state.isFinal();
    }

    public Change withState(ChangeState next) {
        return new Change(id, interfaceName, oldAddress, newAddress, targets, subscriberIds, drainTimeoutSeconds,
                next, outcome, error, remainingConnections, requestedAt, startedAt, deadline, finishedAt, steps,
                kind, removeOldAddress, warning);
    }

    public Change withWarning(Warning next) {
        return new Change(id, interfaceName, oldAddress, newAddress, targets, subscriberIds, drainTimeoutSeconds,
                state, outcome, error, remainingConnections, requestedAt, startedAt, deadline, finishedAt, steps,
                kind, removeOldAddress, next);
    }

    public Change withSteps(Steps next) {
        return new Change(id, interfaceName, oldAddress, newAddress, targets, subscriberIds, drainTimeoutSeconds,
                state, outcome, error, remainingConnections, requestedAt, startedAt, deadline, finishedAt, next,
                kind, removeOldAddress, warning);
    }

    public Change withRemaining(int remaining) {
        return new Change(id, interfaceName, oldAddress, newAddress, targets, subscriberIds, drainTimeoutSeconds,
                state, outcome, error, remaining, requestedAt, startedAt, deadline, finishedAt, steps,
                kind, removeOldAddress, warning);
    }

    public Change started(Instant now) {
        return new Change(id, interfaceName, oldAddress, newAddress, targets, subscriberIds, drainTimeoutSeconds,
                ChangeState.DRAINING, outcome, error, remainingConnections, requestedAt, now,
                now.plusSeconds(drainTimeoutSeconds), finishedAt, steps, kind, removeOldAddress, warning);
    }

    /** The drain ended (DRAINED or TIMED_OUT): the outcome is known, the old address is about to go. */
    public Change drainEnded(Outcome drainOutcome, String message) {
        return new Change(id, interfaceName, oldAddress, newAddress, targets, subscriberIds, drainTimeoutSeconds,
                ChangeState.REMOVING, drainOutcome, message, remainingConnections, requestedAt, startedAt, deadline,
                finishedAt, steps, kind, removeOldAddress, warning);
    }

    /** Records why the change is about to be rolled back, before the kernel is touched. */
    public Change rollingBack(Outcome why, String message) {
        return new Change(id, interfaceName, oldAddress, newAddress, targets, subscriberIds, drainTimeoutSeconds,
                state, why, message, remainingConnections, requestedAt, startedAt, deadline, finishedAt,
                steps.withRollbackPending(true), kind, removeOldAddress, warning);
    }

    public Change finished(ChangeState finalState, Outcome finalOutcome, String message, Instant now) {
        return new Change(id, interfaceName, oldAddress, newAddress, targets, subscriberIds, drainTimeoutSeconds,
                finalState, finalOutcome, message, remainingConnections, requestedAt, startedAt, deadline, now, steps, kind,
                removeOldAddress, warning);
    }
}
