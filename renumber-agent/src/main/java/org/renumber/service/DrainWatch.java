package org.renumber.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.renumber.domain.Outcome;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.domain.port.SocketOwners;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DRAINING: follows the connections the change waits for, the old address's or (a migration) only its targets'.
 * Each count is kept in memory ({@code remaining}); the drain completes when it reaches zero.
 */
record DrainWatch(ConnectionTracker tracker, SocketOwners owners, SubscriberRegistry subscribers,
                  ScheduledExecutorService timers, RunningChange progress, boolean targetsOnly) {

    /** How often a migration counts its targets' connections even when the address's total did not change. */
    static final Duration MIGRATION_RECOUNT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);

    /** Waits until the connections are gone (DRAINED), the deadline (TIMED_OUT) or the operator's cancel. */
    Outcome await(Instant deadline, Clock clock, CompletableFuture<Void> cancelRequested) throws InterruptedException {
        CompletableFuture<Outcome> drained = new CompletableFuture<>();
        Duration untilDeadline = Duration.between(clock.instant(), deadline);
        ScheduledFuture<?> timer = timers.schedule(() -> drained.complete(Outcome.TIMED_OUT),
                Math.max(0, untilDeadline.toMillis()), TimeUnit.MILLISECONDS);
        cancelRequested.thenRun(() -> drained.complete(Outcome.CANCELLED));
        try (ConnectionTracker.Watch watch = watch(drained)) {
            return drained.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("drain wait failed", e.getCause());
        } finally {
            timer.cancel(false);
        }
    }

    private ConnectionTracker.Watch watch(CompletableFuture<Outcome> drain) {
        if (targetsOnly) {
            return watchTargets(drain);
        }
        return tracker.watch(progress.change().request().oldAddress().address(), count -> {
            progress.update(c -> c.withRemaining(count));
            if (count == 0) {
                drain.complete(Outcome.DRAINED);
            }
        });
    }

    /** Counts once more (at the deadline the last connection may have closed since the last event). */
    int remaining() {
        return targetsOnly ? targetConnections()
                : tracker.countConnections(progress.change().request().oldAddress().address());
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
                progress.update(c -> c.withRemaining(count));
                if (count == 0) {
                    drain.complete(Outcome.DRAINED);
                }
            } catch (RuntimeException e) {
                log.warn("change {}: could not count the migrated applications' connections: {}",
                        progress.change().id(), e.getMessage());
            }
        };
        ConnectionTracker.Watch watch = tracker.watch(progress.change().request().oldAddress().address(), total -> {
            try {
                timers.execute(recount);
            } catch (RejectedExecutionException e) {
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
        List<SocketEntry> live = tracker.sockets(progress.change().request().oldAddress().address()).stream()
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
        for (String id : progress.change().request().subscriberIds()) {
            subscribers.find(id).map(Subscription::pid).filter(pid -> pid != 0).ifPresent(pids::add);
        }
        return pids;
    }
}
