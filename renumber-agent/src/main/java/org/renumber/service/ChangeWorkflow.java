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
final class ChangeWorkflow implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);

    /**
     * How long a new address may stay tentative. IPv6 duplicate address detection takes about a second with the
     * kernel's defaults (one probe, one second); an address still tentative after this means a link without
     * carrier or a very unusual DAD configuration, and the change fails rather than announce an unusable address.
     */
    static final Duration USABLE_TIMEOUT = Duration.ofSeconds(30);
    /** How often a migration counts its targets' connections even when the address's total did not change. */
    static final Duration MIGRATION_RECOUNT = Duration.ofSeconds(5);

    private final NetworkControl network;
    private final ConnectionTracker tracker;
    private final InboundGuard guard;
    private final SocketKiller killer;
    private final ServiceSettingsStore settings;
    private final SocketOwners owners;
    private final SubscriberRegistry subscribers;
    private final ChangeJournal journal;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final Consumer<ChangeEvent> events;
    private final boolean resumed;
    private final Consumer<Change> onFinished;
    private final PreStartHook preStart;

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
        this.tracker = context.kernel().tracker();
        this.guard = context.kernel().guard();
        this.killer = context.kernel().killer();
        this.settings = context.settings();
        this.owners = context.kernel().owners();
        this.subscribers = context.subscribers();
        this.journal = context.journal();
        this.timers = context.timers();
        this.clock = context.clock();
        this.events = requireNonNull(events, "events");
        this.onFinished = requireNonNull(onFinished, "onFinished");
        this.preStart = context.preStart();
    }

    Change change() {
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
                if (change.kind() == ChangeKind.DETECTED && !resumed) {
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
                + "\") on its Subscription" + (change.removeOldAddress() ? "" : keptNote()));
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

    private String keptNote() {
        return change.kind() == ChangeKind.MIGRATION
                ? "; partial migration: " + change.oldAddress() + " stays configured for the applications not moved"
                : "";
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
            NetInterface nic = currentInterface();
            if (nic.find(change.newAddress().address()).isEmpty()) {
                transition(c -> c.withSteps(c.steps().withNewAddressAdded()));
                network.addAddress(change.interfaceName(), change.newAddress());
            }
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
            if (!migration()) {
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
        // A migration never guards: the rule would refuse new connections to the applications that stay.
        if (settings.current().guardNewConnections() && !migration()) {
            try {
                transition(c -> c.withSteps(c.steps().withGuardApplied(true)));
                guard.guard(change.oldAddress().address());
            } catch (RuntimeException e) {
                // The operator asked for the guard: draining without it is not what they asked for.
                abort(Outcome.FAILED, "could not refuse new connections to " + change.oldAddress() + ": "
                        + e.getMessage());
                return;
            }
        }
        transition(c -> c.started(clock.instant()));
        emit(EventType.STARTED, "new address " + change.newAddress() + " is usable; move off " + change.oldAddress()
                + keptNote());
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
     * New outbound connections leave from the new address: for IPv4 through the old subnet's connected route
     * (IPv4 source selection ignores deprecation, docs/architecture.md), for IPv6 by deprecating the old address (RFC 6724
     * rule 3 avoids deprecated sources), and for both by re-pointing the routes that name the old address as
     * their source, since a route's source wins over source selection. The new address gets the policy rules of
     * the old one first, so what leaves from it or comes to it is routed as the operator arranged. Idempotent, so a
     * restarted agent repeats it.
     */
    private void steerNewConnections() {
        if (change.oldAddress().isIpv4()) {
            if (!change.steps().routeSteered()) {
                transition(c -> c.withSteps(c.steps().withRouteSteered(true)));
            }
            network.setConnectedRouteSource(change.interfaceName(), change.oldAddress(), change.newAddress().address());
        } else {
            deprecateOldAddress();
        }
        copyRulesToNewAddress();
        moveRoutesOffOldAddress();
    }

    /** Preferred lifetime 0, valid lifetime as it is; the lifetimes before are journaled so rollback restores them. */
    private void deprecateOldAddress() {
        AddressLifetimes now = network.lifetimes(change.interfaceName(), change.oldAddress());
        if (now == null) {
            return; // the old address has gone: nothing left to steer away from
        }
        if (!change.steps().oldAddressDeprecated()) {
            transition(c -> c.withSteps(c.steps().withOldAddressDeprecated(now)));
        }
        if (!now.isDeprecated()) {
            network.setLifetimes(change.interfaceName(), change.oldAddress(), now.deprecated());
        }
    }

    /**
     * Re-points the routes whose preferred source is the old address, in every table but local; deleting the old
     * address would otherwise delete them (IPv4, main table), leave them naming a source the node no longer has
     * (IPv4, other tables; IPv6 through a nexthop object) or strip their source (IPv6). Run when steering and again
     * just before the removal, for routes added during the drain. Each route is journaled before it is touched.
     */
    private void moveRoutesOffOldAddress() {
        List<SourceRoute> routes = network.routesWithSource(change.oldAddress().address());
        if (routes.isEmpty()) {
            return;
        }
        transition(c -> c.withSteps(c.steps().withMovedRoutes(routes)));
        for (SourceRoute route : routes) {
            network.setRouteSource(route, change.newAddress().address());
            log.info("change {}: route {} now has source {}", change.id(), route,
                    IpLiterals.format(change.newAddress().address()));
        }
    }

    /**
     * Gives the new address each policy rule that names exactly the old one as its source or destination
     * ({@code from OLD/32 lookup 100}, {@code to OLD/32 lookup 100}, or both): the same rule with the new address
     * in each selector that named the old one, {@code from NEW/32}. The kernel keys a rule by all it is, so both
     * rules coexist until the old one goes with the old address. Only copies the agent adds are journaled (before
     * they are added): a rule the new address already had is the operator's, and a rollback must not delete it.
     * Rules that select the old address only through a wider prefix ({@code to 10.9.0.0/16}) may or may not cover
     * the new address, and inverted ones ({@code not to OLD}) select every other address; only the operator knows
     * what they are for: they are left as they are and logged. Run when steering and again just before the
     * removal, for rules added during the drain.
     */
    private void copyRulesToNewAddress() {
        InetAddress fresh = change.newAddress().address();
        List<AddressRule> rules = network.rulesSelecting(change.oldAddress().address());
        for (AddressRule other : rules.stream().filter(r -> !r.singleAddress()).toList()) {
            log.info("change {}: rule {} does not select {} alone; left as it is", change.id(), other,
                    IpLiterals.format(change.oldAddress().address()));
        }
        Set<String> present = new HashSet<>();
        network.rulesSelecting(fresh).forEach(r -> present.add(r.key()));
        List<AddressRule> missing = rules.stream()
                .filter(r -> r.singleAddress() && !present.contains(r.key())).toList();
        if (missing.isEmpty()) {
            return;
        }
        transition(c -> c.withSteps(c.steps().withCopiedRules(missing)));
        for (AddressRule rule : missing) {
            network.addRuleSelecting(rule, fresh);
            log.info("change {}: rule {} now also for {}", change.id(), rule, IpLiterals.format(fresh));
        }
    }

    /**
     * The old address's own rules go with it, as an operator renumbering by hand would delete them; by now each
     * has its copy for the new address. Not journaled: nothing undoes the removal of the old address.
     */
    private void deleteRulesOfOldAddress() {
        InetAddress old = change.oldAddress().address();
        for (AddressRule rule : network.rulesSelecting(old)) {
            if (rule.singleAddress()) {
                network.deleteRuleSelecting(rule, old);
                log.info("change {}: rule {} deleted with {}", change.id(), rule, IpLiterals.format(old));
            }
        }
    }

    /** DRAINING: wait until no process holds a connection on the old address, or the deadline. */
    private void drainOldAddress() throws InterruptedException {
        if (resumed && change.startedAt() != null) {
            // The STARTED notification may have been lost with the previous agent; repeating it is harmless.
            try {
                if (!migration()) {
                    steerNewConnections();
                }
            } catch (RuntimeException e) {
                log.warn("change {}: could not re-steer outbound traffic after restart: {}", change.id(), e.getMessage());
            }
            emit(EventType.STARTED, "resumed after agent restart; new address " + change.newAddress() + " is usable");
        }
        CompletableFuture<Outcome> drain = new CompletableFuture<>();
        Duration untilDeadline = Duration.between(clock.instant(), change.deadline());
        ScheduledFuture<?> deadline = timers.schedule(() -> drain.complete(Outcome.TIMED_OUT),
                Math.max(0, untilDeadline.toMillis()), TimeUnit.MILLISECONDS);
        cancelRequested.thenRun(() -> drain.complete(Outcome.CANCELLED));
        Outcome outcome;
        try (ConnectionTracker.Watch watch = migration() ? watchTargets(drain) : tracker.watch(
                change.oldAddress().address(), count -> {
                    update(c -> c.withRemaining(count));
                    if (count == 0) {
                        drain.complete(Outcome.DRAINED);
                    }
                })) {
            outcome = drain.get();
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
        int remaining = outcome == Outcome.DRAINED ? 0 : migration() ? targetConnections()
                : tracker.countConnections(change.oldAddress().address());
        update(c -> c.withRemaining(remaining));
        if (remaining == 0) {
            // Applications hear DRAINED before the journal's fsync: only the removal must wait for the journal,
            // and a restart between the two repeats DRAINED, which is harmless.
            update(c -> c.drainEnded(Outcome.DRAINED, null));
            emit(EventType.DRAINED, migration()
                    ? "no connection of the migrated applications uses " + change.oldAddress() + " any more" + keptNote()
                    : "no connection uses " + change.oldAddress() + " any more");
            persist(ChangeState.DRAINING);
        } else {
            String late = remaining + " connection(s) still used " + change.oldAddress() + " when the "
                    + change.drainTimeoutSeconds() + " s drain timeout passed";
            transition(c -> c.drainEnded(Outcome.TIMED_OUT, late));
            // A migration never force-closes: the killer acts on the whole address, the other applications included.
            if (settings.current().forceCloseAtDeadline() && !migration()) {
                forceClose(late);
            }
        }
    }

    private boolean migration() {
        return change.kind() == ChangeKind.MIGRATION;
    }

    /**
     * A migration waits for the targets' connections only. The tracker counts every connection on the old address
     * and reports each change of that count (a socket destroyed, a safety walk); each report, and a slow timer for
     * what does not change the total (a target's new connection while another application's closes), triggers a
     * count of the targets' share: one lookup of the address's sockets, then the descriptors of the targets'
     * processes only. Counts run on the timer thread, never on the tracker's own.
     */
    private ConnectionTracker.Watch watchTargets(CompletableFuture<Outcome> drain) {
        Runnable recount = () -> {
            try {
                int count = targetConnections();
                update(c -> c.withRemaining(count));
                if (count == 0) {
                    drain.complete(Outcome.DRAINED);
                }
            } catch (RuntimeException e) {
                log.warn("change {}: could not count the migrated applications' connections: {}", change.id(),
                        e.getMessage());
            }
        };
        ConnectionTracker.Watch watch = tracker.watch(change.oldAddress().address(), total -> {
            try {
                timers.execute(recount);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // agent shutting down
            }
        });
        ScheduledFuture<?> safety = timers.scheduleWithFixedDelay(recount, MIGRATION_RECOUNT.toMillis(),
                MIGRATION_RECOUNT.toMillis(), TimeUnit.MILLISECONDS);
        return () -> {
            safety.cancel(false);
            watch.close();
        };
    }

    /** Live connections on the old address held by a process of a target (its Subscription's PID). */
    private int targetConnections() {
        List<SocketEntry> live = tracker.sockets(change.oldAddress().address()).stream()
                .filter(SocketEntry::isLiveConnection).toList();
        if (live.isEmpty()) {
            return 0;
        }
        Set<Long> inodes = new HashSet<>();
        live.forEach(s -> inodes.add(s.inode()));
        Set<Long> held = owners.heldBy(targetPids(), inodes);
        return (int) live.stream().filter(s -> held.contains(s.inode())).count();
    }

    /** The targets' process ids as recorded now (a restarted application records its new one). */
    private List<Long> targetPids() {
        List<Long> pids = new ArrayList<>();
        for (String id : change.subscriberIds()) {
            subscribers.find(id).map(Subscription::pid).filter(pid -> pid != 0).ifPresent(pids::add);
        }
        return pids;
    }

    /**
     * Deadline enforcement: SOCK_DESTROY on what still holds the old address (the applications see a reset),
     * rather than leaving sockets that will be silently dead once the address is gone.
     */
    private void forceClose(String late) {
        String closed;
        try {
            closed = killer.destroy(change.oldAddress().address(), SocketKiller.AT_DEADLINE).describe();
        } catch (RuntimeException e) {
            closed = "none (" + e.getMessage() + ")";
        }
        String result = closed;
        transition(c -> c.withSteps(c.steps().withForceClosed(result))
                .drainEnded(Outcome.TIMED_OUT, late + "; force-closed " + result));
        log.info("change {}: force-closed {} on {}", change.id(), result, change.oldAddress());
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
                moveRoutesOffOldAddress();
                copyRulesToNewAddress();
                deleteRulesOfOldAddress();
                protectSecondaries(nic);
                network.removeAddress(change.interfaceName(), change.oldAddress());
            }
            restorePromoteSecondaries();
            tidyRoutes();
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
        if (migration()) {
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

    /**
     * With promote_secondaries off, deleting an IPv4 primary deletes every secondary of its subnet, and
     * the new address is such a secondary when it shares the old one's subnet (docs/architecture.md).
     */
    private void protectSecondaries(NetInterface nic) {
        if (!change.oldAddress().isIpv4()) {
            return;
        }
        boolean sharesSubnet = nic.addresses().stream()
                .anyMatch(a -> !a.address().equals(change.oldAddress().address()) && a.isIpv4()
                        && change.oldAddress().sameSubnet(a));
        if (sharesSubnet && !network.promoteSecondaries(change.interfaceName())) {
            transition(c -> c.withSteps(c.steps().withPromoteSecondariesSet(true)));
            network.setPromoteSecondaries(change.interfaceName(), true);
        }
    }

    private void restorePromoteSecondaries() {
        if (change.steps().promoteSecondariesSet()) {
            network.setPromoteSecondaries(change.interfaceName(), false);
            transition(c -> c.withSteps(c.steps().withPromoteSecondariesSet(false)));
        }
    }

    /**
     * Leaves the routing table as an operator renumbering by hand would: the old subnet's connected route
     * goes with the old subnet, or names the new address as source when the new address is in it.
     */
    private void tidyRoutes() {
        if (!change.steps().routeSteered()) {
            return;
        }
        InterfaceAddress old = change.oldAddress();
        boolean oldSubnetStillOnLink = currentInterface().addresses().stream().anyMatch(old::sameSubnet);
        if (oldSubnetStillOnLink) {
            network.setConnectedRouteSource(change.interfaceName(), old, firstInSubnet(old).address());
        } else {
            network.deleteConnectedRoute(change.interfaceName(), old);
        }
    }

    private InterfaceAddress firstInSubnet(InterfaceAddress subnet) {
        return currentInterface().addresses().stream().filter(subnet::sameSubnet).findFirst().orElseThrow();
    }

    /** Records why, then undoes the kernel steps, then ends the change. */
    private void abort(Outcome why, String message) {
        transition(c -> c.rollingBack(why, message));
        rollBack();
    }

    /**
     * Undoes the journaled steps: routes first, while both addresses are there (the kernel deletes an IPv4 route
     * whose source disappears), the connected route before the others (their gateways are reached through it,
     * and the kernel will have deleted it if the new address went first); then the rules copied for the new
     * address, the old address's lifetimes, and the new address. Each step looks at the kernel or is idempotent,
     * so a repeated rollback does no harm.
     */
    private void rollBack() {
        Outcome why = change.outcome();
        String message = change.error();
        List<String> problems = new ArrayList<>();
        attempt(problems, "could not restore the route source", () -> {
            if (change.steps().routeSteered() && change.oldAddress().isIpv4() && oldAddressPresent()) {
                network.setConnectedRouteSource(change.interfaceName(), change.oldAddress(),
                        change.oldAddress().address());
            }
        });
        restoreMovedRoutes(problems);
        for (AddressRule rule : change.steps().copiedRules()) {
            attempt(problems, "could not delete the copy of rule " + rule + " for " + change.newAddress(),
                    () -> network.deleteRuleSelecting(rule, change.newAddress().address()));
        }
        attempt(problems, "could not give " + change.oldAddress() + " back its preferred lifetime", () -> {
            AddressLifetimes before = change.steps().oldAddressLifetimes();
            AddressLifetimes now = before == null ? null : network.lifetimes(change.interfaceName(), change.oldAddress());
            if (now != null) {
                network.setLifetimes(change.interfaceName(), change.oldAddress(), before.restoredFrom(now));
            }
        });
        attempt(problems, "could not remove the new address", () -> {
            if (change.steps().newAddressAdded() && currentInterface().find(change.newAddress().address()).isPresent()) {
                network.removeAddress(change.interfaceName(), change.newAddress());
            }
        });
        String text = problems.isEmpty() ? message : message + " (rollback incomplete: " + String.join("; ", problems) + ")";
        if (why == Outcome.CANCELLED) {
            finish(ChangeState.CANCELLED, Outcome.CANCELLED, text, EventType.CANCELLED);
        } else {
            finish(ChangeState.FAILED, Outcome.FAILED, text, EventType.FAILED);
        }
    }

    /** Points every journaled route back at the old address (re-creating it if the kernel deleted it). */
    private void restoreMovedRoutes(List<String> problems) {
        List<SourceRoute> moved = change.steps().movedRoutes();
        if (moved.isEmpty()) {
            return;
        }
        boolean oldPresent;
        try {
            oldPresent = oldAddressPresent();
        } catch (RuntimeException e) {
            problems.add("could not look for " + change.oldAddress() + ": " + e.getMessage());
            return;
        }
        if (!oldPresent) {
            problems.add(change.oldAddress() + " is gone, so these routes cannot name it again: " + moved);
            return;
        }
        for (SourceRoute route : moved) {
            attempt(problems, "could not point route " + route + " back at " + change.oldAddress(),
                    () -> network.setRouteSource(route, change.oldAddress().address()));
        }
    }

    private boolean oldAddressPresent() {
        return currentInterface().find(change.oldAddress().address()).isPresent();
    }

    private static void attempt(List<String> problems, String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            problems.add(what + ": " + e.getMessage());
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
        releaseGuard();
        transition(c -> c.finished(state, outcome, error, clock.instant()).withSteps(
                c.steps().withRollbackPending(false)));
        // The service forgets the change as active before anyone hears it ended, so a script reacting to the
        // final notification (or to awaitChange) can start the next change on the interface at once.
        onFinished.accept(change);
        emit(type, message);
    }

    /** The guard goes with the change, however it ends; a rule that cannot be removed is logged loudly. */
    private void releaseGuard() {
        if (!change.steps().guardApplied()) {
            return;
        }
        try {
            guard.release(change.oldAddress().address());
        } catch (RuntimeException e) {
            log.error("change {}: could not remove the inbound guard on {}; the next agent start retries: {}",
                    change.id(), change.oldAddress(), e.getMessage());
            return;
        }
        transition(c -> c.withSteps(c.steps().withGuardApplied(false)));
    }

    private NetInterface currentInterface() {
        return network.interfaces().stream()
                .filter(i -> i.name().equals(change.interfaceName()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("interface " + change.interfaceName() + " has disappeared"));
    }

    /** Journals the next value of the change, then makes it current. */
    private void transition(UnaryOperator<Change> next) {
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

    /** In-memory update that need not survive a restart (e.g. the live connection count). */
    private synchronized void update(UnaryOperator<Change> next) {
        change = next.apply(change);
    }

    private void emit(EventType type, String message) {
        Change now = change;
        events.accept(new ChangeEvent(type, now, Set.copyOf(now.subscriberIds()), message));
    }
}
