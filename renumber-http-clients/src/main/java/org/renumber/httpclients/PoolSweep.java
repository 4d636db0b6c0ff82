package org.renumber.httpclients;

import static java.util.Objects.requireNonNull;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an eviction now and then every {@code interval} while a change drains: a pooled connection that was busy at
 * the first sweep is evicted at the first one that finds it idle. Stops when the change ends.
 */
final class PoolSweep implements AutoCloseable {

    private static final System.Logger log = System.getLogger(PoolSweep.class.getName());

    private final Runnable evict;
    private final Duration interval;
    private final ScheduledExecutorService sweeper;
    private ScheduledFuture<?> sweep;

    PoolSweep(String name, Runnable evict, Duration interval) {
        this.evict = requireNonNull(evict, "evict");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("sweep interval must be positive: " + interval);
        }
        this.interval = interval;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }

    synchronized void start() {
        stop();
        sweep = sweeper.scheduleWithFixedDelay(this::evictQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
    }

    synchronized boolean isSweeping() {
        return sweep != null;
    }

    private void evictQuietly() {
        try {
            evict.run();
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "evicting pooled connections failed", e);
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
