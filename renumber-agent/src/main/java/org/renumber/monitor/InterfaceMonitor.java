package org.renumber.monitor;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.Change;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.MonitorSettings;
import org.renumber.domain.port.AddressChanges;
import org.renumber.domain.port.AddressEventSource;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.domain.port.MonitorSettingsStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the kernel's address events and turns a renumbering done by hand into a detected change of the
 * {@link AddressChanges} service: subscribers are told, the old address (now an alias) is drained, and the operator
 * learns when it can go. An address removed by hand under live connections is reported as lost.
 *
 * <p>Events, timers and the detector all run on one monitor thread, in order. Settings are validated, applied
 * and persisted by the caller's thread, so a bad value is refused to the caller.
 *
 * <p>When the event source fails, the monitor reopens it by itself, first after {@link #FIRST_RETRY}, then
 * doubling up to {@link #LAST_RETRY}, and catches up from the fresh snapshot: what changed in between becomes
 * events, so a renumbering done across the gap is still recognised. Listeners hear of the failure and the
 * recovery once each; {@link #isListening} and {@link #lastError} show the state meanwhile.
 */
public final class InterfaceMonitor implements AutoCloseable {

    /** Told about what the monitor found; called from the monitor thread, must not block. */
    public interface Listener {
        default void renumberingDetected(DetectedChange detected) {
        }

        default void addressLost(AddressLoss loss) {
        }

        /** The address events stopped; the monitor reopens them by itself. */
        default void monitorFailed(MonitorFailure failure) {
        }

        /** The address events arrive again after a failure. */
        default void monitorRecovered(MonitorRecovery recovery) {
        }
    }

    /**
     * A renumbering done by hand and what the agent made of it.
     *
     * @param renumbering what was detected
     * @param changeId    the detected change that now runs the workflow around it, or null if there is none
     * @param error       why no change was started (e.g. another change runs on the interface), or null
     */
    public record DetectedChange(Renumbering renumbering, String changeId, String error) {
    }

    /**
     * The address events stopped on an error: the start of an outage.
     *
     * @param reason   what failed, as the source said
     * @param failedAt when the monitor learned of it
     * @param retryIn  when it first tries to reopen them
     */
    public record MonitorFailure(String reason, Instant failedAt, Duration retryIn) {
    }

    /**
     * The address events arrive again: the end of an outage.
     *
     * @param failedAt    when they had stopped
     * @param recoveredAt when a reopen succeeded
     * @param attempts    the reopens it took, the successful one included
     */
    public record MonitorRecovery(Instant failedAt, Instant recoveredAt, int attempts) {
    }

    /** Since when the events are missing, and how many reopens were tried. */
    private record Outage(Instant since, int attempts) {
    }

    static final int HISTORY_SIZE = 50;
    /** The first reopen after a failure: a transient error is over by then, and an outage stays short. */
    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    /** The longest wait between reopens, so a source that keeps failing costs a log line every 10 s at most. */
    static final Duration LAST_RETRY = Duration.ofSeconds(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(InterfaceMonitor.class);

    private final AddressEventSource source;
    private final AddressChanges service;
    private final ConnectionTracker tracker;
    private final MonitorSettingsStore store;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor thread;
    /** Counts the connections of removed addresses, so the monitor thread goes on with the next steps meanwhile. */
    private final ExecutorService counting;
    private final RenumberingDetector detector; // monitor thread only
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Deque<String> recent = new ArrayDeque<>();
    private volatile MonitorSettings settings;
    private volatile long generation;
    private AddressEventSource.Watch watch;
    private volatile boolean listening;
    private volatile String lastError = "";
    private Outage outage; // null unless reopening after a failure
    private int failureStreak; // sets the delay of the next reopen
    private Instant listeningSince;
    private ScheduledFuture<?> tick; // monitor thread only
    private boolean started;
    private boolean closed;

    /** Loads the persisted settings (defaults if none); {@link #start} begins watching if enabled. */
    public InterfaceMonitor(AddressEventSource source, AddressChanges service, ConnectionTracker tracker,
                            MonitorSettingsStore store, Clock clock) {
        this.source = requireNonNull(source, "source");
        this.service = requireNonNull(service, "service");
        this.tracker = requireNonNull(tracker, "tracker");
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.settings = store.load().orElse(MonitorSettings.DEFAULTS);
        this.detector = new RenumberingDetector(settings.window(), settings.settle(), clock, this::countConnections,
                this::busySince);
        this.thread = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "renumber-monitor");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        this.counting = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "renumber-monitor-count");
            t.setDaemon(true);
            return t;
        });
    }

    public void addListener(Listener listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    /** Starts watching the kernel if the settings say so. Start the service first: detections go to it. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the interface monitor is closed");
        }
        started = true;
        if (settings.enabled()) {
            startWatching(false);
        }
        log.info("interface monitor {}: window {} ms, settle {} ms, drain timeout {} s for detected changes, alias {}",
                settings.enabled() ? "watching address events" : "disabled", settings.windowMillis(),
                settings.settleMillis(), settings.drainTimeoutSeconds(),
                settings.autoRemoveAlias() ? "removed when drained" : "left to the operator");
    }

    public MonitorSettings settings() {
        return settings;
    }

    /** Whether address events arrive now: false when disabled or not started, and while reopening after a failure. */
    public boolean isListening() {
        return listening;
    }

    /** When and why the address events stopped, while the monitor reopens them; empty otherwise. */
    public String lastError() {
        return lastError;
    }

    public void setEnabled(boolean enabled) {
        update(s -> s.withEnabled(enabled));
    }

    public void setWindowMillis(long windowMillis) {
        update(s -> s.withWindowMillis(windowMillis));
    }

    public void setSettleMillis(long settleMillis) {
        update(s -> s.withSettleMillis(settleMillis));
    }

    public void setAutoRemoveAlias(boolean autoRemoveAlias) {
        update(s -> s.withAutoRemoveAlias(autoRemoveAlias));
    }

    public void setDrainTimeoutSeconds(long drainTimeoutSeconds) {
        update(s -> s.withDrainTimeoutSeconds(drainTimeoutSeconds));
    }

    /** Detections and losses, most recent first, one readable line each. */
    public synchronized List<String> recentDetections() {
        return List.copyOf(recent);
    }

    /** Steps inside the current window that have not made a pattern (yet), and losses waiting for their window. */
    public List<String> pendingSteps() {
        try {
            return thread.submit(detector::pendingSteps).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the monitor's pending steps", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the monitor thread did not answer: " + e, e);
        }
    }

    /** Stops watching; the settings stay as persisted. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopWatching();
        }
        thread.shutdownNow();
        counting.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Validates, applies (starting or stopping the watch), then persists; nothing changes if a step fails. */
    private synchronized void update(UnaryOperator<MonitorSettings> change) {
        if (closed) {
            throw new IllegalStateException("the interface monitor is closed");
        }
        MonitorSettings previous = settings;
        MonitorSettings next = change.apply(previous);
        if (next.equals(previous)) {
            return;
        }
        boolean enabling = next.enabled() && !previous.enabled() && started;
        boolean disabling = !next.enabled() && previous.enabled() && started;
        if (enabling) {
            startWatching(false);
        }
        try {
            store.save(next);
        } catch (RuntimeException e) {
            if (enabling) {
                stopWatching();
            }
            throw e;
        }
        settings = next;
        if (disabling) {
            stopWatching();
        }
        if (next.windowMillis() != previous.windowMillis() || next.settleMillis() != previous.settleMillis()) {
            onMonitorThread(() -> {
                detector.setWindow(next.window());
                detector.setSettle(next.settle());
                onTick();
            });
        }
        log.info("interface monitor settings changed: {}", next);
    }

    /**
     * Opens a watch (holding the lock). Its snapshot resets the detector; after a failure ({@code catchUp}) it is
     * compared with what the detector knew instead, so the steps already seen stay in the window.
     */
    private void startWatching(boolean catchUp) {
        long current = ++generation;
        watch = source.watch(new AddressEventSource.Sink() {
            @Override
            public void snapshot(List<ConfiguredAddress> configured) {
                onMonitorThread(() -> {
                    if (generation != current) {
                        return;
                    }
                    if (catchUp) {
                        handle(detector.resync(configured));
                    } else {
                        detector.reset(configured);
                        reschedule();
                    }
                });
            }

            @Override
            public void events(List<AddressEvent> batch) {
                onMonitorThread(() -> {
                    if (generation == current) {
                        handle(detector.accept(batch));
                    }
                });
            }

            @Override
            public void failed(RuntimeException cause) {
                onMonitorThread(() -> watchFailed(current, cause));
            }
        });
        listening = true;
        listeningSince = clock.instant();
    }

    private void stopWatching() {
        generation++;
        listening = false;
        lastError = "";
        outage = null;
        failureStreak = 0;
        if (watch != null) {
            watch.close();
            watch = null;
        }
        onMonitorThread(() -> {
            detector.reset(List.of());
            reschedule();
        });
    }

    /** The watch of generation {@code failed} stopped: start an outage and schedule the first reopen. */
    private void watchFailed(long failed, RuntimeException cause) {
        MonitorFailure failure;
        synchronized (this) {
            if (closed || generation != failed) {
                return; // disabled, closed or replaced meanwhile
            }
            generation++; // whatever the dead watch still delivers is ignored
            closeQuietly(watch);
            watch = null;
            listening = false;
            Instant now = clock.instant();
            // A watch that held for the longest delay counts as a success: the delays start over.
            if (!now.isBefore(listeningSince.plus(LAST_RETRY))) {
                failureStreak = 0;
            }
            Duration delay = retryDelay(++failureStreak);
            String reason = reason(cause);
            outage = new Outage(now, 0);
            lastError = now + ": " + reason;
            failure = new MonitorFailure(reason, now, delay);
            log.error("interface monitor stopped receiving {}: {}; reopening in {} ms", source, reason,
                    delay.toMillis(), cause);
            scheduleReopen(generation, delay);
        }
        notifyListeners("a failure", listener -> listener.monitorFailed(failure));
    }

    /** Tries to watch again; on success the snapshot catches the detector up, on failure the next wait doubles. */
    private void reopen(long expected) {
        MonitorRecovery recovery;
        synchronized (this) {
            if (closed || generation != expected) {
                return;
            }
            outage = new Outage(outage.since(), outage.attempts() + 1);
            try {
                startWatching(true);
            } catch (RuntimeException e) {
                Duration delay = retryDelay(++failureStreak);
                lastError = clock.instant() + ": " + reason(e);
                log.warn("interface monitor could not reopen {} (attempt {}): {}; next attempt in {} ms", source,
                        outage.attempts(), reason(e), delay.toMillis());
                scheduleReopen(generation, delay);
                return;
            }
            recovery = new MonitorRecovery(outage.since(), clock.instant(), outage.attempts());
            outage = null;
            lastError = "";
            log.info("interface monitor receives {} again after {} attempt(s) and catches up from a fresh snapshot",
                    source, recovery.attempts());
        }
        notifyListeners("a recovery", listener -> listener.monitorRecovered(recovery));
    }

    private void scheduleReopen(long expected, Duration delay) {
        try {
            thread.schedule(guarded(() -> reopen(expected)), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed: nothing left to reopen
        }
    }

    /** {@link #FIRST_RETRY}, doubled for each further failure in a row, at most {@link #LAST_RETRY}. */
    static Duration retryDelay(int failures) {
        Duration delay = FIRST_RETRY;
        for (int i = 1; i < failures && delay.compareTo(LAST_RETRY) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(LAST_RETRY) < 0 ? delay : LAST_RETRY;
    }

    private static String reason(RuntimeException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static void closeQuietly(AddressEventSource.Watch watch) {
        if (watch == null) {
            return;
        }
        try {
            watch.close();
        } catch (RuntimeException e) {
            log.debug("closing a failed address event watch failed: {}", e.toString());
        }
    }

    private void handle(List<Finding> findings) {
        for (Finding finding : findings) {
            try {
                if (finding instanceof Renumbering renumbering) {
                    adopt(renumbering);
                } else if (finding instanceof AddressLoss loss) {
                    report(loss);
                }
            } catch (RuntimeException e) {
                log.error("interface monitor could not act on {}", finding, e);
            }
        }
        reschedule();
    }

    private void adopt(Renumbering r) {
        MonitorSettings now = settings;
        Instant detectedAt = clock.instant();
        String changeId = null;
        String error = null;
        try {
            changeId = service.adoptManualChange(r.interfaceName(), r.oldAddress().address(),
                    r.newAddress().address(), now.drainTimeoutSeconds(), now.autoRemoveAlias());
            log.info("renumbering by hand detected on {}: {} -> {}, old address now {}; change {} (detected {} ms after "
                            + "the completing event, journaled in {} ms)", r.interfaceName(), r.oldAddress().address(),
                    r.newAddress().address(), r.oldAddress().describe(), changeId,
                    Duration.between(r.completedAt(), detectedAt).toMillis(),
                    Duration.between(detectedAt, clock.instant()).toMillis());
            remember(r.completedAt() + " " + r.interfaceName() + ": " + r.oldAddress().address() + " -> "
                    + r.newAddress().describe() + ", old address kept as " + r.oldAddress().describe() + "; change "
                    + changeId);
        } catch (RuntimeException e) {
            error = e.getMessage();
            log.warn("renumbering by hand detected on {} ({} -> {}) but no change could follow it: {}",
                    r.interfaceName(), r.oldAddress().address(), r.newAddress().address(), error);
            remember(r.completedAt() + " " + r.interfaceName() + ": " + r.oldAddress().address() + " -> "
                    + r.newAddress().describe() + " detected, not followed: " + error);
        }
        DetectedChange detected = new DetectedChange(r, changeId, error);
        notifyListeners("a detection", listener -> listener.renumberingDetected(detected));
    }

    private void report(AddressLoss loss) {
        log.warn("address {} was removed from {} by hand at {} and not configured again within {} ms: {} "
                        + "connection(s) using it broke", loss.address().describe(), loss.interfaceName(),
                loss.removedAt(), settings.windowMillis(), loss.connections());
        remember(loss.removedAt() + " " + loss.interfaceName() + ": " + loss.address().describe()
                + " removed and lost; "
                + loss.connections() + " connection(s) broke");
        notifyListeners("an address loss", listener -> listener.addressLost(loss));
    }

    private void notifyListeners(String what, Consumer<Listener> call) {
        for (Listener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                log.warn("interface monitor listener failed on {}", what, e);
            }
        }
    }

    private synchronized void remember(String line) {
        recent.addFirst(line);
        while (recent.size() > HISTORY_SIZE) {
            recent.removeLast();
        }
    }

    /** Schedules the detector's next deadline (a millisecond late, so the tick never comes too early). */
    private void reschedule() {
        if (tick != null) {
            tick.cancel(false);
            tick = null;
        }
        detector.nextDeadline().ifPresent(deadline -> {
            long delay = Math.max(0, Duration.between(clock.instant(), deadline).toMillis()) + 1;
            try {
                tick = thread.schedule(guarded(this::onTick), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        });
    }

    /**
     * Reports what time alone decides, unless the events are down: the detector's view may be stale then (an
     * address put back unseen is no loss), so the catch-up after the reopen decides instead.
     */
    private void onTick() {
        if (listening) {
            handle(detector.tick());
        }
    }

    private void onMonitorThread(Runnable task) {
        try {
            thread.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            // closed: nothing left to do
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("interface monitor task failed", e);
            }
        };
    }

    private CompletableFuture<Integer> countConnections(InetAddress address) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return tracker.countConnections(address);
                } catch (RuntimeException e) {
                    log.warn("could not count the connections on removed address {}: {}", address.getHostAddress(),
                            e.getMessage());
                    return 0;
                }
            }, counting);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(0); // closing: no loss will be reported anyway
        }
    }

    /** The addresses of the agent's own changes, running or finished since {@code since}. */
    private Set<InetAddress> busySince(Instant since) {
        Set<InetAddress> busy = new HashSet<>();
        for (Change change : service.activeChanges()) {
            busy.add(change.request().oldAddress().address());
            busy.add(change.request().newAddress().address());
        }
        for (Change change : service.recentChanges()) {
            if (change.progress().finishedAt() == null || !change.progress().finishedAt().isBefore(since)) {
                busy.add(change.request().oldAddress().address());
                busy.add(change.request().newAddress().address());
            }
        }
        return busy;
    }
}
