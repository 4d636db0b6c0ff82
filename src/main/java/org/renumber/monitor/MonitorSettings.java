package org.renumber.monitor;

import java.time.Duration;
import org.renumber.service.AddressChangeService;

/**
 * The interface monitor's settings, as persisted in the state directory. Every value is checked here, so a bad
 * write from JMX and a bad hand-edited file are refused with the same message.
 *
 * @param enabled             whether the monitor listens to the kernel's address events
 * @param windowMillis        time within which the steps of a renumbering must happen, and after which a removed
 *                            address with connections is reported lost
 * @param autoRemoveAlias     whether the agent removes the alias itself once its connections are gone
 * @param drainTimeoutSeconds how long a detected change waits for the alias's connections
 */
public record MonitorSettings(boolean enabled, long windowMillis, boolean autoRemoveAlias, long drainTimeoutSeconds) {

    public static final long MIN_WINDOW_MILLIS = 100;
    public static final long MAX_WINDOW_MILLIS = Duration.ofMinutes(10).toMillis();
    /** Five minutes: long enough for a pooled client to reconnect, short enough for an operator to wait. */
    public static final long DEFAULT_DRAIN_TIMEOUT_SECONDS = 300;
    public static final MonitorSettings DEFAULTS = new MonitorSettings(true,
            RenumberingDetector.DEFAULT_WINDOW.toMillis(), false, DEFAULT_DRAIN_TIMEOUT_SECONDS);

    public MonitorSettings {
        if (windowMillis < MIN_WINDOW_MILLIS || windowMillis > MAX_WINDOW_MILLIS) {
            throw new IllegalArgumentException("WindowMillis " + windowMillis + " is out of range: use "
                    + MIN_WINDOW_MILLIS + " to " + MAX_WINDOW_MILLIS + " milliseconds (10 minutes)");
        }
        if (drainTimeoutSeconds < 0 || drainTimeoutSeconds > AddressChangeService.MAX_DRAIN_SECONDS) {
            throw new IllegalArgumentException("DrainTimeoutSeconds " + drainTimeoutSeconds + " is out of range: use 0 to "
                    + AddressChangeService.MAX_DRAIN_SECONDS + " seconds (7 days)");
        }
    }

    public Duration window() {
        return Duration.ofMillis(windowMillis);
    }

    public MonitorSettings withEnabled(boolean value) {
        return new MonitorSettings(value, windowMillis, autoRemoveAlias, drainTimeoutSeconds);
    }

    public MonitorSettings withWindowMillis(long value) {
        return new MonitorSettings(enabled, value, autoRemoveAlias, drainTimeoutSeconds);
    }

    public MonitorSettings withAutoRemoveAlias(boolean value) {
        return new MonitorSettings(enabled, windowMillis, value, drainTimeoutSeconds);
    }

    public MonitorSettings withDrainTimeoutSeconds(long value) {
        return new MonitorSettings(enabled, windowMillis, autoRemoveAlias, value);
    }
}
