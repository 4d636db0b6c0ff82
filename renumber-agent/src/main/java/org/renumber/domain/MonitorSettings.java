package org.renumber.domain;

import java.time.Duration;

/**
 * The interface monitor's settings, as persisted in the state directory. Every value is checked here, so a bad
 * write from JMX and a bad hand-edited file are refused with the same message.
 *
 * @param enabled             whether the monitor listens to the kernel's address events
 * @param windowMillis        time within which the steps of a renumbering must happen, and after which a removed
 *                            address with connections is reported lost
 * @param settleMillis        how long a pattern completed by an IPv4 address with its classful prefix waits for
 *                            ifconfig's netmask step; it counts inside the window, hence at most windowMillis
 * @param autoRemoveAlias     whether the agent removes the alias itself once its connections are gone
 * @param drainTimeoutSeconds how long a detected change waits for the alias's connections
 */
public record MonitorSettings(boolean enabled, long windowMillis, long settleMillis, boolean autoRemoveAlias,
                              long drainTimeoutSeconds) {

    /** Default time within which the steps must happen: long enough for an operator typing three commands. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
    /**
     * Default time a pattern completed by a classful IPv4 prefix waits for ifconfig's netmask step: ifconfig sends
     * its two delete-and-add pairs within a few milliseconds, so this leaves room for a loaded machine.
     */
    public static final Duration DEFAULT_SETTLE = Duration.ofMillis(250);
    public static final long MIN_WINDOW_MILLIS = 100;
    public static final long MAX_WINDOW_MILLIS = Duration.ofMinutes(10).toMillis();
    /** Five minutes: long enough for a pooled client to reconnect, short enough for an operator to wait. */
    public static final long DEFAULT_DRAIN_TIMEOUT_SECONDS = 300;
    public static final MonitorSettings DEFAULTS = new MonitorSettings(true,
            DEFAULT_WINDOW.toMillis(), DEFAULT_SETTLE.toMillis(), false,
            DEFAULT_DRAIN_TIMEOUT_SECONDS);

    public MonitorSettings {
        if (windowMillis < MIN_WINDOW_MILLIS || windowMillis > MAX_WINDOW_MILLIS) {
            throw new IllegalArgumentException("WindowMillis " + windowMillis + " is out of range: use "
                    + MIN_WINDOW_MILLIS + " to " + MAX_WINDOW_MILLIS + " milliseconds (10 minutes)");
        }
        if (settleMillis < 0) {
            throw new IllegalArgumentException("SettleMillis " + settleMillis + " is out of range: use 0 to WindowMillis ("
                    + windowMillis + ") milliseconds");
        }
        // The steps' window keeps running while a pattern settles: a longer wait would let its steps expire first.
        if (settleMillis > windowMillis) {
            throw new IllegalArgumentException("SettleMillis " + settleMillis + " is longer than WindowMillis "
                    + windowMillis + ": use 0 to WindowMillis milliseconds, and lower SettleMillis before WindowMillis");
        }
        if (drainTimeoutSeconds < 0 || drainTimeoutSeconds > ChangeLimits.MAX_DRAIN_SECONDS) {
            throw new IllegalArgumentException("DrainTimeoutSeconds " + drainTimeoutSeconds + " is out of range: use 0 to "
                    + ChangeLimits.MAX_DRAIN_SECONDS + " seconds (7 days)");
        }
    }

    public Duration window() {
        return Duration.ofMillis(windowMillis);
    }

    public Duration settle() {
        return Duration.ofMillis(settleMillis);
    }

    public MonitorSettings withEnabled(boolean value) {
        return new MonitorSettings(value, windowMillis, settleMillis, autoRemoveAlias, drainTimeoutSeconds);
    }

    public MonitorSettings withWindowMillis(long value) {
        return new MonitorSettings(enabled, value, settleMillis, autoRemoveAlias, drainTimeoutSeconds);
    }

    public MonitorSettings withSettleMillis(long value) {
        return new MonitorSettings(enabled, windowMillis, value, autoRemoveAlias, drainTimeoutSeconds);
    }

    public MonitorSettings withAutoRemoveAlias(boolean value) {
        return new MonitorSettings(enabled, windowMillis, settleMillis, value, drainTimeoutSeconds);
    }

    public MonitorSettings withDrainTimeoutSeconds(long value) {
        return new MonitorSettings(enabled, windowMillis, settleMillis, autoRemoveAlias, value);
    }
}
