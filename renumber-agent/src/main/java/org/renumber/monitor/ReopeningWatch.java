package org.renumber.monitor;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.port.AddressEventSource;
import org.renumber.monitor.MonitorFailure;
import org.renumber.monitor.MonitorRecovery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interface monitor's watch on the address events, kept open: when the source fails it is reopened, first after
 * {@link #FIRST_RETRY}, then doubling up to {@link #LAST_RETRY}, and the fresh snapshot is handed on as a catch-up.
 * Everything it hands on runs on the monitor thread; whatever a replaced or closed watch still delivers is dropped
 * (each watch has its generation).
 */
final class ReopeningWatch {

    /** What the watch hands to the monitor, on the monitor thread. */
    interface Receiver {
        /** The addresses configured now; {@code catchUp} after a reopen, when steps may have been missed. */
        void snapshot(List<ConfiguredAddress> configured, boolean catchUp);

        void events(List<AddressEvent> batch);

        /** The events stopped; the watch reopens them by itself. Called once per outage. */
        void failed(MonitorFailure failure);

        /** The events arrive again after a failure. */
        void recovered(MonitorRecovery recovery);
    }

    /** Since when the events are missing, and how many reopens were tried. */
    private record Outage(Instant since, int attempts) {
    }

    /** The first reopen after a failure: a transient error is over by then, and an outage stays short. */
    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    /** The longest wait between reopens, so a source that keeps failing costs a log line every 10 s at most. */
    static final Duration LAST_RETRY = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(InterfaceMonitor.class);

    private final AddressEventSource source;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final Receiver receiver;
    private volatile long generation;
    private AddressEventSource.Watch watch;
    private volatile boolean listening;
    private volatile String lastError = "";
    private Outage outage; // null unless reopening after a failure
    private int failureStreak; // sets the delay of the next reopen
    private Instant listeningSince;

    ReopeningWatch(AddressEventSource source, Clock clock, ScheduledExecutorService thread, Receiver receiver) {
        this.source = requireNonNull(source, "source");
        this.clock = requireNonNull(clock, "clock");
        this.thread = requireNonNull(thread, "thread");
        this.receiver = requireNonNull(receiver, "receiver");
    }

    /** Whether address events arrive now: false when closed and while reopening after a failure. */
    boolean isListening() {
        return listening;
    }

    /** When and why the address events stopped, while reopening them; empty otherwise. */
    String lastError() {
        return lastError;
    }

    /** Opens the watch; its snapshot resets the monitor's view. Fails as the source does. */
    synchronized void open() {
        open(false);
    }

    /** Closes the watch and drops what it or a pending reopen would still deliver. */
    synchronized void close() {
        generation++;
        listening = false;
        lastError = "";
        outage = null;
        failureStreak = 0;
        if (watch != null) {
            watch.close();
            watch = null;
        }
    }

    /**
     * Opens a watch of a new generation. After a failure ({@code catchUp}) its snapshot is compared with what the
     * monitor knew, so the steps already seen stay in the window.
     */
    private void open(boolean catchUp) {
        long current = ++generation;
        watch = source.watch(new AddressEventSource.Sink() {
            @Override
            public void snapshot(List<ConfiguredAddress> configured) {
                onMonitorThread(current, () -> receiver.snapshot(configured, catchUp));
            }

            @Override
            public void events(List<AddressEvent> batch) {
                onMonitorThread(current, () -> receiver.events(batch));
            }

            @Override
            public void failed(RuntimeException cause) {
                execute(() -> stopped(current, cause));
            }
        });
        listening = true;
        listeningSince = clock.instant();
    }

    /** The watch of generation {@code failed} stopped: start an outage and schedule the first reopen. */
    private void stopped(long failed, RuntimeException cause) {
        MonitorFailure failure;
        synchronized (this) {
            if (generation != failed) {
                return; // closed or replaced meanwhile
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
        receiver.failed(failure);
    }

    /** Tries to watch again; on success the snapshot catches the monitor up, on failure the next wait doubles. */
    private void reopen(long expected) {
        MonitorRecovery recovery;
        synchronized (this) {
            if (generation != expected) {
                return;
            }
            outage = new Outage(outage.since(), outage.attempts() + 1);
            try {
                open(true);
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
        receiver.recovered(recovery);
    }

    private void scheduleReopen(long expected, Duration delay) {
        try {
            thread.schedule(InterfaceMonitor.guarded(() -> reopen(expected)), delay.toMillis(),
                    TimeUnit.MILLISECONDS);
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

    private void onMonitorThread(long expected, Runnable task) {
        execute(() -> {
            if (generation == expected) {
                task.run();
            }
        });
    }

    private void execute(Runnable task) {
        try {
            thread.execute(InterfaceMonitor.guarded(task));
        } catch (RejectedExecutionException e) {
            // closed: nothing left to do
        }
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
}
