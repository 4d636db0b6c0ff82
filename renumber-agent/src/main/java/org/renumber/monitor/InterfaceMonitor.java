package org.renumber.monitor;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * <p>When the event source fails, the monitor reopens it by itself ({@link ReopeningWatch}: first after 100 ms, then
 * doubling up to 10 s) and catches up from the fresh snapshot: what changed in between becomes
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

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(InterfaceMonitor.class);

    private final AddressChanges service;
    private final ConnectionTracker tracker;
    private final MonitorSettingsStore store;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor thread;
    /** Counts the connections of removed addresses, so the monitor thread goes on with the next steps meanwhile. */
    private final ExecutorService counting;
    private final RenumberingDetector detector; // monitor thread only
    private final FindingReports reports;
    private final ReopeningWatch watch;
    private volatile MonitorSettings settings;
    private ScheduledFuture<?> tick; // monitor thread only
    private boolean started;
    private boolean closed;

    /** Loads the persisted settings (defaults if none); {@link #start} begins watching if enabled. */
    public InterfaceMonitor(AddressEventSource source, AddressChanges service, ConnectionTracker tracker,
                            MonitorSettingsStore store, Clock clock) {
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
        this.reports = new FindingReports(service, () -> this.settings, clock);
        this.watch = new ReopeningWatch(source, clock, thread, new WatchReceiver());
        this.counting = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "renumber-monitor-count");
            t.setDaemon(true);
            return t;
        });
    }

    public void addListener(Listener listener) {
        reports.addListener(listener);
    }

    /** Starts watching the kernel if the settings say so. Start the service first: detections go to it. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the interface monitor is closed");
        }
        started = true;
        if (settings.enabled()) {
            watch.open();
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
        return watch.isListening();
    }

    /** When and why the address events stopped, while the monitor reopens them; empty otherwise. */
    public String lastError() {
        return watch.lastError();
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
    public List<String> recentDetections() {
        return reports.recent();
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
            watch.open();
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

    /** What the watch hands on, on the monitor thread. */
    private final class WatchReceiver implements ReopeningWatch.Receiver {
        @Override
        public void snapshot(List<ConfiguredAddress> configured, boolean catchUp) {
            if (catchUp) {
                handle(detector.resync(configured));
            } else {
                detector.reset(configured);
                reschedule();
            }
        }

        @Override
        public void events(List<AddressEvent> batch) {
            handle(detector.accept(batch));
        }

        @Override
        public void failed(MonitorFailure failure) {
            reports.notifyListeners("a failure", listener -> listener.monitorFailed(failure));
        }

        @Override
        public void recovered(MonitorRecovery recovery) {
            reports.notifyListeners("a recovery", listener -> listener.monitorRecovered(recovery));
        }
    }

    private void stopWatching() {
        watch.close();
        onMonitorThread(() -> {
            detector.reset(List.of());
            reschedule();
        });
    }

    private void handle(List<Finding> findings) {
        findings.forEach(reports::act);
        reschedule();
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
        if (watch.isListening()) {
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

    static Runnable guarded(Runnable task) {
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
