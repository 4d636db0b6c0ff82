package org.renumber.service;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressRule;
import org.renumber.domain.AddressState;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeKind;
import org.renumber.domain.ChangeState;
import org.renumber.domain.EventType;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.NetInterface;
import org.renumber.domain.Outcome;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.SourceRoute;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.ChangeJournal;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.domain.port.InboundGuard;
import org.renumber.domain.port.NetworkControl;
import org.renumber.domain.port.ServiceSettingsStore;
import org.renumber.domain.port.SocketKiller;
import org.renumber.domain.port.SocketOwners;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one address change, run on its own worker thread. Each transition is journaled
 * before it acts on the kernel, then notified, so a restarted agent can pick the change up where the
 * journal says it was: every kernel step here is idempotent (it looks at the kernel before acting).
 */
final class ChangeWorkflow implements Runnable, ChangeProgress {

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);

    /**
     * How long a new address may stay tentative. IPv6 duplicate address detection takes about a second with the
     * kernel's defaults (one probe, one second); an address still tentative after this means a link without
     * carrier or a very unusual DAD configuration, and the change fails rather than announce an unusable address.
     */
    static final Duration USABLE_TIMEOUT = Duration.ofSeconds(30);

    private final NetworkControl network;
    private final ServiceSettingsStore settings;
    private final ChangeJournal journal;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final Consumer<ChangeEvent> events;
    private final boolean resumed;
    private final Consumer<Change> onFinished;
    private final PreStartHook preStart;
    private final ChangePolicy policy;

    private final NewAddressStep newAddress;
    private final RouteSourceStep routeSource;
    private final DeprecationStep deprecation;
    private final RuleCopyStep rules;
    private final RouteMoveStep routes;
    private final GuardStep guard;
    private final DrainWatch drain;
    private final ForceCloseStep forceClose;
    private final PromoteSecondariesStep promoteSecondaries;
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
    /** Completed when the last target of a warned change said it is ready. */
    private final CompletableFuture<Void> allTargetsReady = new CompletableFuture<>();
    /** Whether this run has sent the warning (a resumed change sends it again). */
    private boolean warned;
    private volatile Change change;

    ChangeWorkflow(Change change, boolean resumed, WorkflowContext context, Consumer<ChangeEvent> events,
                   Consumer<Change> onFinished) {
        this.change = requireNonNull(change, "change");
        this.resumed = resumed;
        this.network = context.kernel().network();
        this.settings = context.settings();
        this.journal = context.journal();
        this.timers = context.timers();
        this.clock = context.clock();
        this.events = requireNonNull(events, "events");
        this.onFinished = requireNonNull(onFinished, "onFinished");
        this.preStart = context.preStart();
        this.policy = ChangePolicy.of(change.kind());
        this.newAddress = new NewAddressStep(network, this);
        this.routeSource = new RouteSourceStep(network, this);
        this.deprecation = new DeprecationStep(network, this);
        this.rules = new RuleCopyStep(network, this);
        this.routes = new RouteMoveStep(network, this);
        this.guard = new GuardStep(context.kernel().guard(), this);
        this.drain = new DrainWatch(context.kernel().tracker(), context.kernel().owners(), context.subscribers(),
                timers, this, policy.drainsTargetsOnly());
        this.forceClose = new ForceCloseStep(context.kernel().killer(), this);
        this.promoteSecondaries = new PromoteSecondariesStep(network, this);
        this.undoOrder = List.of(routeSource, routes, rules, deprecation, newAddress);
    }

    @Override
    public Change change() {
        return change;
    }

    CompletableFuture<Change> done() {
        return done;
    }

    /** Asks the workflow to roll back; refused once the old address is being removed. */
    void requestCancel() {
        ChangeState state = change.state();
        if (state.isFinal()) {
            throw new IllegalStateException("change " + change.id() + " has already ended as " + state);
        }
        if (state == ChangeState.REMOVING || change.steps().rollbackPending()) {
            throw new IllegalStateException("change " + change.id() + " is already "
                    + (state == ChangeState.REMOVING ? "removing the old address" : "rolling back")
                    + " and can no longer be cancelled");
        }
        cancelRequested.complete(null);
    }

    /**
     * A target is ready for this change. Runs under the workflow's lock, like the end of the warning, so an
     * acknowledgement is either counted before the change leaves WARNING or refused after.
     */
    synchronized void acknowledge(String subscriberId) {
        if (change.state() != ChangeState.WARNING) {
            throw new IllegalStateException("change " + change.id() + " is not waiting for its targets: it is "
                    + change.state() + (change.warning() == null ? " and was requested without a warning"
                    : change.warning().startReason() == null ? "" : " (started: " + reason(change.warning().startReason()) + ")"));
        }
        if (!change.subscriberIds().contains(subscriberId)) {
            throw new IllegalArgumentException("subscriber '" + subscriberId + "' is not a target of change "
                    + change.id() + "; its targets are " + change.subscriberIds());
        }
        if (change.warning().acknowledged().contains(subscriberId)) {
            return;
        }
        transition(c -> c.withWarning(c.warning().acknowledgedBy(subscriberId)));
        log.info("change {}: {} is ready ({} of {} targets)", change.id(), subscriberId,
                change.warning().acknowledged().size(), change.subscriberIds().size());
        if (change.warning().allReady(change.subscriberIds())) {
            allTargetsReady.complete(null);
        }
    }

    static String reason(Change.StartReason reason) {
        return switch (reason) {
            case ALL_TARGETS_READY -> "all targets ready";
            case WARNING_TIME_PASSED -> "warning time passed";
        };
    }

    @Override
    public void run() {
        Thread.currentThread().setName("renumber-change-" + change.id());
        try {
            if (change.steps().rollbackPending()) {
                rollBack();
            }
            while (!change.isFinished()) {
                step();
            }
        } catch (InterruptedException e) {
            // Agent shutting down: the journal keeps the change where it is; the next start resumes it.
            Thread.currentThread().interrupt();
            log.info("change {} suspended in {} by agent shutdown", change.id(), change.state());
        } catch (RuntimeException e) {
            log.error("change {} failed unexpectedly in {}", change.id(), change.state(), e);
            failSafely(e);
        } finally {
            if (change.isFinished()) {
                done.complete(change);
            }
        }
    }

    private void step() throws InterruptedException {
        switch (change.state()) {
            case REQUESTED -> {
                if (policy.announcesInterfaceChange() && !resumed) {
                    emit(EventType.INTERFACE_CHANGED, "renumbered by hand on " + change.interfaceName() + ": "
                            + change.oldAddress() + " -> " + change.newAddress());
                }
                if (change.warning() != null) {
                    transition(c -> c.withState(ChangeState.WARNING));
                    warn("");
                } else {
                    transition(c -> c.withState(ChangeState.ADDING));
                }
            }
            case WARNING -> awaitTargetsOrWarningEnd();
            case ADDING -> addNewAddressAndSteerTraffic();
            case DRAINING -> drainOldAddress();
            case REMOVING -> removeOldAddress();
            default -> throw new IllegalStateException("no step from " + change.state());
        }
    }

    private void warn(String prefix) {
        warned = true;
        emit(EventType.WARNING, prefix + "change " + change.id() + " on " + change.interfaceName() + " ("
                + change.oldAddress() + " -> " + change.newAddress() + ") starts at " + change.warning().warningEnd()
                + " at the latest, or as soon as every target has called ready(\"" + change.id()
                + "\") on its Subscription" + (change.removeOldAddress() ? "" : policy.keptNote(change)));
    }

    /**
     * WARNING: nothing has changed yet. The change starts when every target is ready or at the journaled warning
     * end (so a restarted agent keeps the same end and counts the acknowledgements it had), whichever comes first.
     */
    private void awaitTargetsOrWarningEnd() throws InterruptedException {
        if (!warned) {
            warn("resumed after agent restart: ");
        }
        CompletableFuture<Void> timeUp = new CompletableFuture<>();
        Duration left = Duration.between(clock.instant(), change.warning().warningEnd());
        ScheduledFuture<?> timer = timers.schedule(() -> timeUp.complete(null), Math.max(0, left.toMillis()),
                TimeUnit.MILLISECONDS);
        if (change.warning().allReady(change.subscriberIds())) {
            allTargetsReady.complete(null); // every target was ready before a restart, or there are none
        }
        try {
            CompletableFuture.anyOf(allTargetsReady, timeUp, cancelRequested).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("warning wait failed", e.getCause());
        } finally {
            timer.cancel(false);
        }
        if (cancelRequested.isDone()) {
            abort(Outcome.CANCELLED, "cancelled by operator during the warning");
            return;
        }
        synchronized (this) {
            Change.StartReason why = change.warning().allReady(change.subscriberIds())
                    ? Change.StartReason.ALL_TARGETS_READY : Change.StartReason.WARNING_TIME_PASSED;
            transition(c -> c.withWarning(c.warning().endedBecause(why)).withState(ChangeState.ADDING));
            log.info("change {}: warning over, {} (ready: {} of {})", change.id(), reason(why),
                    change.warning().acknowledged(), change.subscriberIds());
        }
    }

    /**
     * ADDING: the new address goes up, the workflow waits until it is usable (IPv6 duplicate address detection), the
     * pre-start hook may still refuse the change, new outbound connections are steered to it, and only then are the
     * applications told to move.
     */
    private void addNewAddressAndSteerTraffic() throws InterruptedException {
        if (cancelRequested.isDone()) {
            abort(Outcome.CANCELLED, "cancelled by operator before the new address was announced");
            return;
        }
        AddressState usable;
        try {
            newAddress.apply();
            usable = awaitUsableOrCancel();
        } catch (RuntimeException e) {
            abort(Outcome.FAILED, "could not bring up " + change.newAddress() + " on " + change.interfaceName()
                    + ": " + e.getMessage());
            return;
        }
        if (usable == null) {
            abort(Outcome.CANCELLED, "cancelled by operator before the new address was announced");
            return;
        }
        if (usable != AddressState.USABLE) {
            abort(Outcome.FAILED, unusable(usable));
            return;
        }
        try {
            preStart.beforeStart(change);
        } catch (RuntimeException e) {
            abort(Outcome.FAILED, e.getMessage());
            return;
        }
        if (cancelRequested.isDone()) {
            abort(Outcome.CANCELLED, "cancelled by operator before the new address was announced");
            return;
        }
        try {
            if (policy.steersNewConnections()) {
                steerNewConnections();
            }
        } catch (RuntimeException e) {
            abort(Outcome.FAILED, "could not steer new connections from " + change.oldAddress() + " to "
                    + change.newAddress() + ": " + e.getMessage());
            return;
        }
        if (cancelRequested.isDone()) {
            abort(Outcome.CANCELLED, "cancelled by operator before the new address was announced");
            return;
        }
        if (settings.current().guardNewConnections() && policy.mayGuard()) {
            try {
                guard.apply();
            } catch (RuntimeException e) {
                // The operator asked for the guard: draining without it is not what they asked for.
                abort(Outcome.FAILED, "could not refuse new connections to " + change.oldAddress() + ": "
                        + e.getMessage());
                return;
            }
        }
        transition(c -> c.started(clock.instant()));
        emit(EventType.STARTED, "new address " + change.newAddress() + " is usable; move off " + change.oldAddress()
                + policy.keptNote(change));
    }

    /** Waits for the kernel to settle the new address's state; null when the operator cancels first. */
    private AddressState awaitUsableOrCancel() throws InterruptedException {
        CompletableFuture<AddressState> usable = network.awaitUsable(change.interfaceName(), change.newAddress(),
                USABLE_TIMEOUT);
        try {
            CompletableFuture.anyOf(usable, cancelRequested).get();
            return cancelRequested.isDone() ? null : usable.join();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not follow the state of " + change.newAddress() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } finally {
            usable.cancel(false); // ends the kernel wait when the cancel came first
        }
    }

    private String unusable(AddressState state) {
        InterfaceAddress fresh = change.newAddress();
        return switch (state) {
            case DUPLICATE -> "duplicate address: another node on the link of " + change.interfaceName()
                    + " already uses " + IpLiterals.format(fresh.address()) + " (IPv6 duplicate address detection"
                    + " failed); " + change.oldAddress() + " was left untouched";
            case TENTATIVE -> "new address " + fresh + " was still tentative after " + USABLE_TIMEOUT.toSeconds()
                    + " s: duplicate address detection did not finish (is " + change.interfaceName()
                    + " up, with a carrier?)";
            case ABSENT -> "new address " + fresh + " disappeared from " + change.interfaceName()
                    + " before it became usable";
            case USABLE -> throw new IllegalArgumentException("usable is not a failure");
        };
    }

    /**
     * New outbound connections leave from the new address: for IPv4 through the old subnet's connected route, for
     * IPv6 by deprecating the old address, and for both by re-pointing the routes that name the old address as
     * their source, since a route's source wins over source selection. The new address gets the policy rules of
     * the old one first, so what leaves from it or comes to it is routed as the operator arranged. Idempotent, so a
     * restarted agent repeats it.
     */
    private void steerNewConnections() {
        if (change.oldAddress().isIpv4()) {
            routeSource.apply();
        } else {
            deprecation.apply();
        }
        rules.apply();
        routes.apply();
    }

    /** DRAINING: wait until no process holds a connection on the old address, or the deadline. */
    private void drainOldAddress() throws InterruptedException {
        if (resumed && change.startedAt() != null) {
            // The STARTED notification may have been lost with the previous agent; repeating it is harmless.
            try {
                if (policy.steersNewConnections()) {
                    steerNewConnections();
                }
            } catch (RuntimeException e) {
                log.warn("change {}: could not re-steer outbound traffic after restart: {}", change.id(), e.getMessage());
            }
            emit(EventType.STARTED, "resumed after agent restart; new address " + change.newAddress() + " is usable");
        }
        CompletableFuture<Outcome> drained = new CompletableFuture<>();
        Duration untilDeadline = Duration.between(clock.instant(), change.deadline());
        ScheduledFuture<?> deadline = timers.schedule(() -> drained.complete(Outcome.TIMED_OUT),
                Math.max(0, untilDeadline.toMillis()), TimeUnit.MILLISECONDS);
        cancelRequested.thenRun(() -> drained.complete(Outcome.CANCELLED));
        Outcome outcome;
        try (ConnectionTracker.Watch watch = drain.watch(drained)) {
            outcome = drained.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("drain wait failed", e.getCause());
        } finally {
            deadline.cancel(false);
        }
        if (outcome == Outcome.CANCELLED) {
            abort(Outcome.CANCELLED, "cancelled by operator while draining");
            return;
        }
        // At the deadline, count once more: the last connection may have closed since the last event.
        int remaining = outcome == Outcome.DRAINED ? 0 : drain.remaining();
        update(c -> c.withRemaining(remaining));
        if (remaining == 0) {
            // Applications hear DRAINED before the journal's fsync: only the removal must wait for the journal,
            // and a restart between the two repeats DRAINED, which is harmless.
            update(c -> c.drainEnded(Outcome.DRAINED, null));
            emit(EventType.DRAINED, policy.drainsTargetsOnly()
                    ? "no connection of the migrated applications uses " + change.oldAddress() + " any more"
                            + policy.keptNote(change)
                    : "no connection uses " + change.oldAddress() + " any more");
            persist(ChangeState.DRAINING);
        } else {
            String late = remaining + " connection(s) still used " + change.oldAddress() + " when the "
                    + change.drainTimeoutSeconds() + " s drain timeout passed";
            transition(c -> c.drainEnded(Outcome.TIMED_OUT, late));
            if (settings.current().forceCloseAtDeadline() && policy.mayForceClose()) {
                forceClose.apply(late);
            }
        }
    }

    /** REMOVING: the old address goes, without taking the new one or the routes with it. */
    private void removeOldAddress() {
        try {
            NetInterface nic = currentInterface();
            if (nic.find(change.newAddress().address()).isEmpty()) {
                // Nothing can have moved to an address that is gone: give the old one back its traffic.
                abort(Outcome.FAILED, "the new address " + change.newAddress() + " is no longer on "
                        + change.interfaceName() + "; the old address was kept");
                return;
            }
            if (!change.removeOldAddress()) {
                keepOldAddress();
                return;
            }
            if (nic.find(change.oldAddress().address()).isPresent()) {
                routes.apply();
                rules.apply();
                rules.deleteRulesOfOldAddress();
                promoteSecondaries.apply(nic);
                network.removeAddress(change.interfaceName(), change.oldAddress());
            }
            promoteSecondaries.restore();
            routeSource.tidy();
        } catch (RuntimeException e) {
            finish(ChangeState.FAILED, Outcome.FAILED, "could not remove the old address " + change.oldAddress()
                    + " (both addresses remain on " + change.interfaceName() + "): " + e.getMessage(), EventType.FAILED);
            return;
        }
        if (change.outcome() == Outcome.TIMED_OUT) {
            finish(ChangeState.TIMED_OUT, Outcome.TIMED_OUT, change.error(), EventType.TIMEOUT);
        } else {
            finish(ChangeState.COMPLETED, Outcome.DRAINED, null, EventType.COMPLETED);
        }
    }

    /**
     * A detected change leaves the old address (the operator's alias) in place: new connections already
     * leave from the new address, and the operator removes the alias when told it is safe.
     */
    private void keepOldAddress() {
        boolean timedOut = change.outcome() == Outcome.TIMED_OUT;
        if (policy.keepsSharedAddress()) {
            String kept = change.oldAddress() + " stays configured for the applications that were not moved";
            finish(timedOut ? ChangeState.TIMED_OUT : ChangeState.COMPLETED, change.outcome(),
                    timedOut ? change.error() : null, timedOut ? EventType.TIMEOUT : EventType.COMPLETED,
                    (timedOut ? change.error() + "; " : "the migrated applications are on " + change.newAddress() + "; ")
                            + kept);
            return;
        }
        String message = timedOut
                ? change.error() + "; the alias " + change.oldAddress() + " can be removed, those connections will break"
                : "no connection uses the alias " + change.oldAddress() + " any more; it can be removed";
        finish(timedOut ? ChangeState.TIMED_OUT : ChangeState.COMPLETED, change.outcome(), timedOut ? message : null,
                EventType.ALIAS_REMOVABLE, message);
    }

    /** Records why, then undoes the kernel steps, then ends the change. */
    private void abort(Outcome why, String message) {
        transition(c -> c.rollingBack(why, message));
        rollBack();
    }

    /** Undoes the journaled steps in {@link #undoOrder}, then ends the change. */
    private void rollBack() {
        Outcome why = change.outcome();
        String message = change.error();
        List<String> problems = new ArrayList<>();
        for (KernelStep step : undoOrder) {
            step.undo(problems);
        }
        String text = problems.isEmpty() ? message : message + " (rollback incomplete: " + String.join("; ", problems) + ")";
        if (why == Outcome.CANCELLED) {
            finish(ChangeState.CANCELLED, Outcome.CANCELLED, text, EventType.CANCELLED);
        } else {
            finish(ChangeState.FAILED, Outcome.FAILED, text, EventType.FAILED);
        }
    }

    private void failSafely(RuntimeException e) {
        try {
            if (change.state() == ChangeState.REMOVING) {
                finish(ChangeState.FAILED, Outcome.FAILED, "unexpected error: " + e.getMessage(), EventType.FAILED);
            } else {
                abort(Outcome.FAILED, "unexpected error: " + e.getMessage());
            }
        } catch (RuntimeException again) {
            log.error("change {} could not be ended cleanly; it stays journaled in {}", change.id(), change.state(), again);
        }
    }

    private void finish(ChangeState state, Outcome outcome, String message, EventType type) {
        finish(state, outcome, message, type, message);
    }

    private void finish(ChangeState state, Outcome outcome, String error, EventType type, String message) {
        guard.release();
        transition(c -> c.finished(state, outcome, error, clock.instant()).withSteps(
                c.steps().withRollbackPending(false)));
        // The service forgets the change as active before anyone hears it ended, so a script reacting to the
        // final notification (or to awaitChange) can start the next change on the interface at once.
        onFinished.accept(change);
        emit(type, message);
    }

    @Override
    public NetInterface currentInterface() {
        return network.interfaces().stream()
                .filter(i -> i.name().equals(change.interfaceName()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("interface " + change.interfaceName() + " has disappeared"));
    }

    @Override
    public void transition(UnaryOperator<Change> next) {
        Change before = change;
        Change after;
        synchronized (this) {
            after = next.apply(change);
            journal.saveChange(after);
            change = after;
        }
        if (before.state() != after.state()) {
            log.info("change {} {} -> {} on {} ({} -> {}){}", after.id(), before.state(), after.state(),
                    after.interfaceName(), after.oldAddress(), after.newAddress(),
                    after.error() == null ? "" : ": " + after.error());
        }
    }

    /** Journals the current value, made current earlier by {@link #update}. */
    private void persist(ChangeState before) {
        Change now;
        synchronized (this) {
            now = change;
            journal.saveChange(now);
        }
        log.info("change {} {} -> {} on {} ({} -> {})", now.id(), before, now.state(), now.interfaceName(),
                now.oldAddress(), now.newAddress());
    }

    @Override
    public synchronized void update(UnaryOperator<Change> next) {
        change = next.apply(change);
    }

    private void emit(EventType type, String message) {
        Change now = change;
        events.accept(new ChangeEvent(type, now, Set.copyOf(now.subscriberIds()), message));
    }
}
