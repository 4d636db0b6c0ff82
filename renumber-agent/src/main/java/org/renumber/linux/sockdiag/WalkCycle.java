package org.renumber.linux.sockdiag;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.renumber.linux.IpText;
import org.renumber.linux.LinuxNetns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The walks of watched addresses for {@link SockDiagConnectionTracker}: at most one in flight per address, run
 * on their own walker thread so that events keep being applied on the tracker thread while the kernel walks its
 * table (the tracker's class comment tells how a walk and the events meet). Every method but {@link #close}
 * runs on the tracker thread.
 */
final class WalkCycle {

    private static final Logger log = LoggerFactory.getLogger(WalkCycle.class);

    private final LinuxNetns netns;
    private final TcpSocketTable table;
    private final Duration safetyInterval;
    /** Runs a task on the tracker thread; false when the tracker is closing. */
    private final Predicate<Runnable> onTracker;
    /** On the tracker thread, once a walk's result replaced the set: apply queued events, report. */
    private final Consumer<WatchedAddress> walked;
    private final ExecutorService walker;
    /** Tests only: runs on the walker thread between a watch's walk and applying it. */
    private volatile Consumer<InetAddress> afterWalk;

    WalkCycle(LinuxNetns netns, TcpSocketTable table, Duration safetyInterval, Predicate<Runnable> onTracker,
              Consumer<WatchedAddress> walked) {
        this.netns = netns;
        this.table = table;
        this.safetyInterval = safetyInterval;
        this.onTracker = onTracker;
        this.walked = walked;
        String suffix = netns.name() == null ? "self" : netns.name();
        this.walker = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "renumber-tracker-walks-" + suffix);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Asks for a walk of {@code target}; {@code waiter} (if any) completes once a walk that started after this
     * request has been applied. A walk already in flight may have started before the request (before events were
     * lost, say), so the request makes another one follow it.
     */
    void request(WatchedAddress target, CompletableFuture<Void> waiter) {
        if (waiter != null) {
            target.waitingForWalk.add(waiter);
        }
        if (target.walking()) {
            target.walkAgain = true;
        } else {
            start(target);
        }
    }

    /**
     * Sends {@code target}'s walk to the walker thread. From here until the walk is applied, the cookies of the
     * destroy events the tracker applies are kept: the walk may have seen those sockets before they were freed,
     * and must not bring them back.
     */
    private void start(WatchedAddress target) {
        List<CompletableFuture<Void>> waiters = List.copyOf(target.waitingForWalk);
        target.waitingForWalk.clear();
        if (target.watchers.isEmpty()) {
            waiters.forEach(waiter -> waiter.complete(null)); // closed before its turn
            return;
        }
        target.walkStarted();
        try {
            walker.execute(() -> {
                List<DiagSocket> found;
                try {
                    found = table.walk(target.address);
                    Consumer<InetAddress> hook = afterWalk;
                    if (hook != null) {
                        hook.accept(target.address);
                    }
                } catch (RuntimeException e) {
                    onTracker.test(() -> failed(target, waiters, e));
                    return;
                }
                onTracker.test(() -> apply(target, found, waiters));
            });
        } catch (RejectedExecutionException e) {
            // closing: the tracker's close() answers the waiters
        }
    }

    /** Replaces {@code target}'s set with what its walk found, less what was freed meanwhile, and reports. */
    private void apply(WatchedAddress target, List<DiagSocket> found, List<CompletableFuture<Void>> waiters) {
        target.walkFound(found);
        walked.accept(target);
        waiters.forEach(waiter -> waiter.complete(null));
        againIfAsked(target);
    }

    private void failed(WatchedAddress target, List<CompletableFuture<Void>> waiters, RuntimeException failure) {
        target.walkFailed();
        if (waiters.isEmpty()) {
            log.warn("re-counting connections on {} in {} failed (trying again in {} ms): {}",
                    IpText.of(target.address), netns.describe(), safetyInterval.toMillis(), failure.getMessage());
        }
        waiters.forEach(waiter -> waiter.completeExceptionally(failure));
        againIfAsked(target);
    }

    private void againIfAsked(WatchedAddress target) {
        if (target.walkAgain) {
            target.walkAgain = false;
            start(target);
        }
    }

    /** Runs {@code hook} on the walker thread after each walk of a watch and before the tracker applies it. */
    void afterWalk(Consumer<InetAddress> hook) {
        afterWalk = hook;
    }

    void shutdownNow() {
        walker.shutdownNow();
    }

    void awaitTermination() throws InterruptedException {
        walker.awaitTermination(5, TimeUnit.SECONDS);
    }
}
