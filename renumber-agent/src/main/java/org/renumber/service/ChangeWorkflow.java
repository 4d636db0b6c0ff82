package org.renumber.service;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.renumber.domain.AddressState;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeState;
import org.renumber.domain.EventType;
import org.renumber.domain.NetInterface;
import org.renumber.domain.Outcome;
import org.renumber.domain.port.NetworkControl;
import org.renumber.domain.port.ServiceSettingsStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one address change, run on its own worker thread. Each transition is journaled
 * before it acts on the kernel, then notified, so a restarted agent can pick the change up where the
 * journal says it was: every kernel step (the {@link KernelStep}s and their kin) is idempotent (it looks at the
 * kernel before acting). What differs between kinds of change is the {@link ChangePolicy}; the steps and the undo
 * order are described in docs/architecture.md.
 */
final class ChangeWorkflow implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);
    private static final String CANCELLED_BEFORE_START = "cancelled by operator before the new address was announced";

    private final ServiceSettingsStore settings;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final Consumer<ChangeEvent> events;
    private final boolean resumed;
    private final Consumer<Change> onFinished;
    private final PreStartHook preStart;
    private final ChangePolicy policy;

    private final NewAddressStep newAddress;
    private final Steering steering;
    private final GuardStep guard;
    private final DrainWatch drain;
    private final ForceCloseStep forceClose;
    private final OldAddressRemoval removal;
    /**
     * Rollback order, not the reverse of the forward order (docs/architecture.md, "Undo order"): the routes come
     * back first, while both addresses are there (the kernel deletes an IPv4 route whose source disappears), the
     * connected route before the others (their gateways are reached through it, and the kernel will have deleted
     * it if the new address went first); then the rules copied for the new address, the old address's lifetimes,
     * and the new address last. The guard is not here: it is released however the change ends.
     */
    private final List<KernelStep> undoOrder;

    private final CompletableFuture<Change> done = new CompletableFuture<>();
    private final CompletableFuture<Void> cancelRequested = new CompletableFuture<>();
    private final JournaledChange progress;
    private final WarningPhase warning;

    ChangeWorkflow(Change change, boolean resumed, WorkflowContext context, Consumer<ChangeEvent> events,
                   Consumer<Change> onFinished) {
        this.progress = new JournaledChange(requireNonNull(change, "change"), context.journal(),
                context.kernel().network());
        this.resumed = resumed;
        NetworkControl network = context.kernel().network();
        this.settings = context.settings();
        this.timers = context.timers();
        this.clock = context.clock();
        this.events = requireNonNull(events, "events");
        this.onFinished = requireNonNull(onFinished, "onFinished");
        this.preStart = context.preStart();
        this.policy = ChangePolicy.of(change.request().kind());
        this.warning = new WarningPhase(progress, timers, clock, policy, text -> emit(EventType.WARNING, text));
        this.newAddress = new NewAddressStep(network, progress);
        RouteSourceStep routeSource = new RouteSourceStep(network, progress);
        DeprecationStep deprecation = new DeprecationStep(network, progress);
        RuleCopyStep rules = new RuleCopyStep(network, progress);
        RouteMoveStep routes = new RouteMoveStep(network, progress);
        this.steering = new Steering(routeSource, deprecation, rules, routes, progress);
        this.guard = new GuardStep(context.kernel().guard(), progress);
        this.drain = new DrainWatch(context.kernel().tracker(), context.kernel().owners(), context.subscribers(),
                timers, progress, policy.drainsTargetsOnly());
        this.forceClose = new ForceCloseStep(context.kernel().killer(), progress);
        this.removal = new OldAddressRemoval(network, routes, rules, new PromoteSecondariesStep(network, progress),
                routeSource, progress);
        this.undoOrder = List.of(routeSource, routes, rules, deprecation, newAddress);
    }

    Change change() {
        return progress.change();
    }

    CompletableFuture<Change> done() {
        return done;
    }

    /** Asks the workflow to roll back; refused once the old address is being removed. */
    void requestCancel() {
        ChangeState state = change().progress().state();
        if (state.isFinal()) {
            throw new IllegalStateException("change " + change().id() + " has already ended as " + state);
        }
        if (state == ChangeState.REMOVING || change().progress().steps().rollbackPending()) {
            throw new IllegalStateException("change " + change().id() + " is already "
                    + (state == ChangeState.REMOVING ? "removing the old address" : "rolling back")
                    + " and can no longer be cancelled");
        }
        cancelRequested.complete(null);
    }

    /** A target is ready for this change. */
    void acknowledge(String subscriberId) {
        warning.acknowledge(subscriberId);
    }

    @Override
    public void run() {
        Thread.currentThread().setName("renumber-change-" + change().id());
        try {
            if (change().progress().steps().rollbackPending()) {
                rollBack();
            }
            while (!change().isFinished()) {
                step();
            }
        } catch (InterruptedException e) {
            // Agent shutting down: the journal keeps the change where it is; the next start resumes it.
            Thread.currentThread().interrupt();
            log.info("change {} suspended in {} by agent shutdown", change().id(), change().progress().state());
        } catch (RuntimeException e) {
            if (timers.isShutdown()) {
                // The agent stopped while this step needed a timer (it is refused once stopping): stopping is no
                // reason to fail the change; the journal keeps it where it is, as after an interrupt.
                log.info("change {} suspended in {} by agent shutdown", change().id(), change().progress().state());
                return;
            }
            log.error("change {} failed unexpectedly in {}", change().id(), change().progress().state(), e);
            failSafely(e);
        } finally {
            if (change().isFinished()) {
                done.complete(change());
            }
        }
    }

    private void step() throws InterruptedException {
        switch (change().progress().state()) {
            case REQUESTED -> {
                if (policy.announcesInterfaceChange() && !resumed) {
                    ChangeRequest request = change().request();
                    emit(EventType.INTERFACE_CHANGED, "renumbered by hand on " + request.interfaceName() + ": "
                            + request.oldAddress() + " -> " + request.newAddress());
                }
                if (change().request().warning() != null) {
                    progress.transition(c -> c.withState(ChangeState.WARNING));
                    warning.warn("");
                } else {
                    // Not journaled on its own: ADDING acts on nothing until its first step, whose journal write
                    // (before it acts) carries the state too; a restart before that finds REQUESTED and comes here
                    // again. One write fewer before STARTED (issue 14, P3).
                    progress.advance(c -> c.withState(ChangeState.ADDING));
                }
            }
            case WARNING -> awaitTargetsOrWarningEnd();
            case ADDING -> addNewAddressAndSteerTraffic();
            case DRAINING -> drainOldAddress();
            case REMOVING -> removeOldAddress();
            default -> throw new IllegalStateException("no step from " + change().progress().state());
        }
    }

    /** WARNING: see {@link WarningPhase}. */
    private void awaitTargetsOrWarningEnd() throws InterruptedException {
        if (!warning.await(cancelRequested)) {
            abort(Outcome.CANCELLED, "cancelled by operator during the warning");
        }
    }

    /**
     * ADDING: the new address goes up, the workflow waits until it is usable (IPv6 duplicate address detection), the
     * pre-start hook may still refuse the change(), new outbound connections are steered to it, the guard goes up if
     * asked, and only then are the applications told to move.
     */
    private void addNewAddressAndSteerTraffic() throws InterruptedException {
        if (cancelledBeforeStart()) {
            return;
        }
        AddressState usable;
        try {
            newAddress.apply();
            usable = newAddress.awaitUsable(cancelRequested);
        } catch (RuntimeException e) {
            abort(Outcome.FAILED, ChangeMessages.notBroughtUp(change(), e));
            return;
        }
        if (usable == null) {
            abort(Outcome.CANCELLED, CANCELLED_BEFORE_START);
            return;
        }
        if (usable != AddressState.USABLE) {
            abort(Outcome.FAILED, ChangeMessages.unusable(change(), usable));
            return;
        }
        try {
            preStart.beforeStart(change());
        } catch (RuntimeException e) {
            abort(Outcome.FAILED, e.getMessage());
            return;
        }
        if (cancelledBeforeStart()) {
            return;
        }
        try {
            if (policy.steersNewConnections()) {
                steering.apply();
            }
        } catch (RuntimeException e) {
            abort(Outcome.FAILED, ChangeMessages.notSteered(change(), e));
            return;
        }
        if (cancelledBeforeStart()) {
            return;
        }
        if (settings.current().guardNewConnections() && policy.mayGuard()) {
            try {
                guard.apply();
            } catch (RuntimeException e) {
                // The operator asked for the guard: draining without it is not what they asked for.
                abort(Outcome.FAILED, ChangeMessages.notGuarded(change(), e));
                return;
            }
        }
        // Applications hear STARTED before the journal's fsync, as they hear DRAINED (issue 14, P3): the steps before
        // are journaled already, and a restart between the two finds the change ADDING, re-runs its idempotent steps
        // and repeats STARTED, which is harmless.
        progress.update(c -> c.started(clock.instant()));
        emit(EventType.STARTED, ChangeMessages.started(change(), policy));
        progress.persist(ChangeState.ADDING);
    }

    /** Rolls the change back when the operator cancelled before the applications were told to move. */
    private boolean cancelledBeforeStart() {
        if (!cancelRequested.isDone()) {
            return false;
        }
        abort(Outcome.CANCELLED, CANCELLED_BEFORE_START);
        return true;
    }

    /** DRAINING: wait until no process holds a connection on the old address, or the deadline. */
    private void drainOldAddress() throws InterruptedException {
        if (resumed && change().progress().startedAt() != null) {
            // The STARTED notification may have been lost with the previous agent; repeating it is harmless.
            try {
                if (policy.steersNewConnections()) {
                    steering.apply();
                }
            } catch (RuntimeException e) {
                log.warn("change {}: could not re-steer outbound traffic after restart: {}", change().id(),
                        e.getMessage());
            }
            emit(EventType.STARTED, "resumed after agent restart; new address " + change().request().newAddress()
                    + " is usable");
        }
        Outcome outcome = drain.await(change().progress().deadline(), clock, cancelRequested);
        if (outcome == Outcome.CANCELLED) {
            abort(Outcome.CANCELLED, "cancelled by operator while draining");
            return;
        }
        // At the deadline, count once more: the last connection may have closed since the last event.
        int remaining = outcome == Outcome.DRAINED ? 0 : drain.remaining();
        progress.update(c -> c.withRemaining(remaining));
        if (remaining == 0) {
            // Applications hear DRAINED before the journal's fsync: only the removal must wait for the journal,
            // and a restart between the two repeats DRAINED, which is harmless.
            progress.update(c -> c.drainEnded(Outcome.DRAINED, null));
            emit(EventType.DRAINED, ChangeMessages.drained(change(), policy));
            progress.persist(ChangeState.DRAINING);
        } else {
            progress.transition(c -> c.drainEnded(Outcome.TIMED_OUT, ChangeMessages.timedOut(c, remaining)));
        }
    }

    /**
     * REMOVING: after a drain that timed out, what still holds the old address is force-closed if asked; then the old
     * address goes, without taking the new one or the routes with it, unless it is kept.
     */
    private void removeOldAddress() {
        // Here rather than at the end of the drain, so an agent killed between the two repeats it (FaultInjectionIT).
        if (change().progress().outcome() == Outcome.TIMED_OUT && change().progress().steps().forceClosed() == null
                && settings.current().forceCloseAtDeadline() && policy.mayForceClose()) {
            forceClose.apply(change().progress().error());
        }
        try {
            NetInterface nic = progress.currentInterface();
            if (nic.find(change().request().newAddress().address()).isEmpty()) {
                // Nothing can have moved to an address that is gone: give the old one back its traffic.
                abort(Outcome.FAILED, ChangeMessages.newAddressGone(change()));
                return;
            }
            if (!change().request().removeOldAddress()) {
                keepOldAddress();
                return;
            }
            removal.apply(nic);
        } catch (RuntimeException e) {
            finish(ChangeState.FAILED, Outcome.FAILED, ChangeMessages.notRemoved(change(), e), EventType.FAILED);
            return;
        }
        if (change().progress().outcome() == Outcome.TIMED_OUT) {
            finish(ChangeState.TIMED_OUT, Outcome.TIMED_OUT, change().progress().error(), EventType.TIMEOUT);
        } else {
            finish(ChangeState.COMPLETED, Outcome.DRAINED, null, EventType.COMPLETED);
        }
    }

    /**
     * A migration keeps the shared old address; a detected change leaves the old address (the operator's alias) in
     * place: new connections already leave from the new address, and the operator removes the alias when told.
     */
    private void keepOldAddress() {
        boolean timedOut = change().progress().outcome() == Outcome.TIMED_OUT;
        ChangeState state = timedOut ? ChangeState.TIMED_OUT : ChangeState.COMPLETED;
        if (policy.keepsSharedAddress()) {
            finish(state, change().progress().outcome(), timedOut ? change().progress().error() : null,
                    timedOut ? EventType.TIMEOUT : EventType.COMPLETED,
                    ChangeMessages.sharedAddressKept(change(), timedOut));
            return;
        }
        String message = ChangeMessages.aliasRemovable(change(), timedOut);
        finish(state, change().progress().outcome(), timedOut ? message : null, EventType.ALIAS_REMOVABLE, message);
    }

    /** Records why, then undoes the kernel steps, then ends the change(). */
    private void abort(Outcome why, String message) {
        progress.transition(c -> c.rollingBack(why, message));
        rollBack();
    }

    /** Undoes the journaled steps in {@link #undoOrder}, then ends the change(). */
    private void rollBack() {
        Outcome why = change().progress().outcome();
        String message = change().progress().error();
        List<String> problems = new ArrayList<>();
        for (KernelStep step : undoOrder) {
            step.undo(problems);
        }
        String text = problems.isEmpty() ? message
                : message + " (rollback incomplete: " + String.join("; ", problems) + ")";
        if (why == Outcome.CANCELLED) {
            finish(ChangeState.CANCELLED, Outcome.CANCELLED, text, EventType.CANCELLED);
        } else {
            finish(ChangeState.FAILED, Outcome.FAILED, text, EventType.FAILED);
        }
    }

    private void failSafely(RuntimeException e) {
        try {
            if (change().progress().state() == ChangeState.REMOVING) {
                finish(ChangeState.FAILED, Outcome.FAILED, "unexpected error: " + e.getMessage(), EventType.FAILED);
            } else {
                abort(Outcome.FAILED, "unexpected error: " + e.getMessage());
            }
        } catch (RuntimeException again) {
            log.error("change {} could not be ended cleanly; it stays journaled in {}", change().id(), change()
                    .progress().state(), again);
        }
    }

    private void finish(ChangeState state, Outcome outcome, String message, EventType type) {
        finish(state, outcome, message, type, message);
    }

    private void finish(ChangeState state, Outcome outcome, String error, EventType type, String message) {
        guard.release();
        progress.transition(c -> c.finished(state, outcome, error, clock.instant()).withSteps(
                c.progress().steps().withRollbackPending(false)));
        // The service forgets the change as active before anyone hears it ended, so a script reacting to the
        // final notification (or to awaitChange) can start the next change on the interface at once.
        onFinished.accept(change());
        emit(type, message);
    }

    private void emit(EventType type, String message) {
        Change now = change();
        events.accept(new ChangeEvent(type, now, Set.copyOf(now.request().subscriberIds()), message));
    }
}
