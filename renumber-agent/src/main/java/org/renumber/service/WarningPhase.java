package org.renumber.service;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeWarning;
import org.renumber.domain.ChangeState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WARNING: nothing has changed yet. The targets are warned and the change starts when every target is ready or at
 * the journaled warning end (so a restarted agent keeps the same end and counts the acknowledgements it had),
 * whichever comes first. Acknowledgements and the end of the warning run under the change's lock, so an
 * acknowledgement is either counted before the change leaves WARNING or refused after.
 */
final class WarningPhase {

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);

    private final JournaledChange progress;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final ChangePolicy policy;
    private final Consumer<String> notify;
    /** Completed when the last target of a warned change said it is ready. */
    private final CompletableFuture<Void> allTargetsReady = new CompletableFuture<>();
    /** Whether this run has sent the warning (a resumed change sends it again). */
    private boolean warned;

    WarningPhase(JournaledChange progress, ScheduledExecutorService timers, Clock clock, ChangePolicy policy,
                 Consumer<String> notify) {
        this.progress = progress;
        this.timers = timers;
        this.clock = clock;
        this.policy = policy;
        this.notify = notify;
    }

    void warn(String prefix) {
        warned = true;
        notify.accept(ChangeMessages.warning(progress.change(), prefix, policy));
    }

    void acknowledge(String subscriberId) {
        synchronized (progress) {
            Change change = progress.change();
            if (change.progress().state() != ChangeState.WARNING) {
                throw new IllegalStateException(ChangeMessages.notWaiting(change));
            }
            if (!change.request().subscriberIds().contains(subscriberId)) {
                throw new IllegalArgumentException("subscriber '" + subscriberId + "' is not a target of change "
                        + change.id() + "; its targets are " + change.request().subscriberIds());
            }
            if (change.request().warning().acknowledged().contains(subscriberId)) {
                return;
            }
            progress.transition(c -> c.withWarning(c.request().warning().acknowledgedBy(subscriberId)));
            change = progress.change();
            log.info("change {}: {} is ready ({} of {} targets)", change.id(), subscriberId,
                    change.request().warning().acknowledged().size(), change.request().subscriberIds().size());
            if (change.request().warning().allReady(change.request().subscriberIds())) {
                allTargetsReady.complete(null);
            }
        }
    }

    /** Waits for the targets or the warning end, then journals why the change starts; false when cancelled. */
    boolean await(CompletableFuture<Void> cancelRequested) throws InterruptedException {
        if (!warned) {
            warn("resumed after agent restart: ");
        }
        Change change = progress.change();
        CompletableFuture<Void> timeUp = new CompletableFuture<>();
        Duration left = Duration.between(clock.instant(), change.request().warning().warningEnd());
        ScheduledFuture<?> timer = timers.schedule(() -> timeUp.complete(null), Math.max(0, left.toMillis()),
                TimeUnit.MILLISECONDS);
        if (change.request().warning().allReady(change.request().subscriberIds())) {
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
            return false;
        }
        synchronized (progress) {
            Change now = progress.change();
            ChangeWarning.StartReason why = now.request().warning().allReady(now.request().subscriberIds())
                    ? ChangeWarning.StartReason.ALL_TARGETS_READY : ChangeWarning.StartReason.WARNING_TIME_PASSED;
            progress.transition(c -> c.withWarning(c.request().warning().endedBecause(why))
                    .withState(ChangeState.ADDING));
            now = progress.change();
            log.info("change {}: warning over, {} (ready: {} of {})", now.id(), ChangeMessages.reason(why),
                    now.request().warning().acknowledged(), now.request().subscriberIds());
        }
        return true;
    }
}
