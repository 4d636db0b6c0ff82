package org.renumber.service;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeJournal;
import org.renumber.domain.ChangeKind;
import org.renumber.domain.ChangeState;
import org.renumber.domain.ConnectionTracker;
import org.renumber.domain.EventType;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetInterface;
import org.renumber.domain.NetworkControl;
import org.renumber.domain.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one address change, run on its own worker thread. Each transition is journaled
 * before it acts on the kernel, then notified, so a restarted agent can pick the change up where the
 * journal says it was: every kernel step here is idempotent (it looks at the kernel before acting).
 */
final class ChangeWorkflow implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);

    private final NetworkControl network;
    private final ConnectionTracker tracker;
    private final ChangeJournal journal;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final Consumer<ChangeEvent> events;
    private final boolean resumed;
    private final Consumer<Change> onFinished;

    private final CompletableFuture<Change> done = new CompletableFuture<>();
    private final CompletableFuture<Void> cancelRequested = new CompletableFuture<>();
    private volatile Change change;

    ChangeWorkflow(Change change, boolean resumed, NetworkControl network, ConnectionTracker tracker,
                   ChangeJournal journal, ScheduledExecutorService timers, Clock clock, Consumer<ChangeEvent> events,
                   Consumer<Change> onFinished) {
        this.change = requireNonNull(change, "change");
        this.resumed = resumed;
        this.network = requireNonNull(network, "network");
        this.tracker = requireNonNull(tracker, "tracker");
        this.journal = requireNonNull(journal, "journal");
        this.timers = requireNonNull(timers, "timers");
        this.clock = requireNonNull(clock, "clock");
        this.events = requireNonNull(events, "events");
        this.onFinished = requireNonNull(onFinished, "onFinished");
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
            case REQUESTED, WARNING -> {
                if (change.kind() == ChangeKind.DETECTED && !resumed) {
                    emit(EventType.INTERFACE_CHANGED, "renumbered by hand on " + change.interfaceName() + ": "
                            + change.oldAddress() + " -> " + change.newAddress());
                }
                transition(c -> c.withState(ChangeState.ADDING));
            }
            case ADDING -> addNewAddressAndSteerTraffic();
            case DRAINING -> drainOldAddress();
            case REMOVING -> removeOldAddress();
            default -> throw new IllegalStateException("no step from " + change.state());
        }
    }

    /** ADDING: the new address goes up and new outbound IPv4 connections are steered to it. */
    private void addNewAddressAndSteerTraffic() {
        if (cancelRequested.isDone()) {
            abort(Outcome.CANCELLED, "cancelled by operator before the new address was announced");
            return;
        }
        try {
            NetInterface nic = currentInterface();
            if (nic.find(change.newAddress().address()).isEmpty()) {
                transition(c -> c.withSteps(c.steps().withNewAddressAdded()));
                network.addAddress(change.interfaceName(), change.newAddress());
            }
            steerNewConnections();
        } catch (RuntimeException e) {
            abort(Outcome.FAILED, "could not bring up " + change.newAddress() + " on " + change.interfaceName()
                    + ": " + e.getMessage());
            return;
        }
        if (cancelRequested.isDone()) {
            abort(Outcome.CANCELLED, "cancelled by operator before the new address was announced");
            return;
        }
        transition(c -> c.started(clock.instant()));
        emit(EventType.STARTED, "new address " + change.newAddress() + " is usable; move off " + change.oldAddress());
    }

    private void steerNewConnections() {
        if (!change.oldAddress().isIpv4()) {
            return;
        }
        if (!change.steps().routeSteered()) {
            transition(c -> c.withSteps(c.steps().withRouteSteered(true)));
        }
        network.setConnectedRouteSource(change.interfaceName(), change.oldAddress(), change.newAddress().address());
    }

    /** DRAINING: wait until no process holds a connection on the old address, or the deadline. */
    private void drainOldAddress() throws InterruptedException {
        if (resumed && change.startedAt() != null) {
            // The STARTED notification may have been lost with the previous agent; repeating it is harmless.
            try {
                steerNewConnections();
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
        try (ConnectionTracker.Watch watch = tracker.watch(change.oldAddress().address(), count -> {
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
        int remaining = outcome == Outcome.DRAINED ? 0 : tracker.countConnections(change.oldAddress().address());
        update(c -> c.withRemaining(remaining));
        if (remaining == 0) {
            transition(c -> c.drainEnded(Outcome.DRAINED, null));
            emit(EventType.DRAINED, "no connection uses " + change.oldAddress() + " any more");
        } else {
            transition(c -> c.drainEnded(Outcome.TIMED_OUT, remaining + " connection(s) still used "
                    + change.oldAddress() + " when the " + change.drainTimeoutSeconds() + " s drain timeout passed"));
        }
    }

    /** REMOVING: the old address goes, without taking the new one with it. */
    private void removeOldAddress() {
        try {
            NetInterface nic = currentInterface();
            if (nic.find(change.newAddress().address()).isEmpty()) {
                finish(ChangeState.FAILED, Outcome.FAILED, "the new address " + change.newAddress()
                        + " is no longer on " + change.interfaceName() + "; the old address was kept", EventType.FAILED);
                return;
            }
            if (!change.removeOldAddress()) {
                keepOldAddress();
                return;
            }
            if (nic.find(change.oldAddress().address()).isPresent()) {
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
        String message = timedOut
                ? change.error() + "; the alias " + change.oldAddress() + " can be removed, those connections will break"
                : "no connection uses the alias " + change.oldAddress() + " any more; it can be removed";
        finish(timedOut ? ChangeState.TIMED_OUT : ChangeState.COMPLETED, change.outcome(), timedOut ? message : null,
                EventType.ALIAS_REMOVABLE, message);
    }

    /**
     * With promote_secondaries off, deleting an IPv4 primary deletes every secondary of its subnet, and
     * the new address is such a secondary when it shares the old one's subnet (DESIGN.md).
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

    private void rollBack() {
        Outcome why = change.outcome();
        String message = change.error();
        String problem = null;
        try {
            if (change.steps().routeSteered() && change.oldAddress().isIpv4()
                    && currentInterface().find(change.oldAddress().address()).isPresent()) {
                network.setConnectedRouteSource(change.interfaceName(), change.oldAddress(), change.oldAddress().address());
            }
        } catch (RuntimeException e) {
            problem = "could not restore the route source: " + e.getMessage();
        }
        try {
            if (change.steps().newAddressAdded() && currentInterface().find(change.newAddress().address()).isPresent()) {
                network.removeAddress(change.interfaceName(), change.newAddress());
            }
        } catch (RuntimeException e) {
            problem = (problem == null ? "" : problem + "; ") + "could not remove the new address: " + e.getMessage();
        }
        String text = problem == null ? message : message + " (rollback incomplete: " + problem + ")";
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
        transition(c -> c.finished(state, outcome, error, clock.instant()).withSteps(
                c.steps().withRollbackPending(false)));
        // The service forgets the change as active before anyone hears it ended, so a script reacting to the
        // final notification (or to awaitChange) can start the next change on the interface at once.
        onFinished.accept(change);
        emit(type, message);
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

    /** In-memory update that need not survive a restart (e.g. the live connection count). */
    private synchronized void update(UnaryOperator<Change> next) {
        change = next.apply(change);
    }

    private void emit(EventType type, String message) {
        Change now = change;
        events.accept(new ChangeEvent(type, now, Set.copyOf(now.subscriberIds()), message));
    }
}
