package org.renumber.domain;

import org.renumber.domain.port.InboundGuard;
import org.renumber.domain.port.SocketKiller;

/**
 * The service's operator settings, persisted across restarts. The guard and the forced close default to off: a
 * change then behaves as before these settings existed (new connections to the old address are accepted during the
 * drain, and connections still open at the deadline are left open when the old address is removed).
 *
 * @param guardNewConnections  from STARTED until the change ends, refuse new inbound TCP connections to the old
 *                             address with a reset ({@link InboundGuard}); established ones keep flowing
 * @param forceCloseAtDeadline at the drain deadline, destroy the TCP connections and UDP sockets still on the
 *                             old address ({@link SocketKiller}) before removing it
 * @param hookTimeoutSeconds   how long one dispatcher hook may run before it is killed and counted failed
 *                             ({@value #MIN_HOOK_TIMEOUT_SECONDS} to {@value #MAX_HOOK_TIMEOUT_SECONDS}); 0, as a
 *                             settings file from before this setting reads, means the default
 */
public record ServiceSettings(boolean guardNewConnections, boolean forceCloseAtDeadline, long hookTimeoutSeconds) {

    public static final long DEFAULT_HOOK_TIMEOUT_SECONDS = 30;
    public static final long MIN_HOOK_TIMEOUT_SECONDS = 1;
    /** A hook that needs more than ten minutes is doing a job of its own; it should start it and return. */
    public static final long MAX_HOOK_TIMEOUT_SECONDS = 600;

    /** Guard and forced close off, hooks limited to 30 s. */
    public static final ServiceSettings DEFAULTS = new ServiceSettings(false, false, DEFAULT_HOOK_TIMEOUT_SECONDS);

    public ServiceSettings {
        if (hookTimeoutSeconds == 0) {
            hookTimeoutSeconds = DEFAULT_HOOK_TIMEOUT_SECONDS;
        }
        if (hookTimeoutSeconds < MIN_HOOK_TIMEOUT_SECONDS || hookTimeoutSeconds > MAX_HOOK_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("hookTimeoutSeconds " + hookTimeoutSeconds + " is out of range: use "
                    + MIN_HOOK_TIMEOUT_SECONDS + " to " + MAX_HOOK_TIMEOUT_SECONDS + " seconds");
        }
    }

    /** The guard and forced-close settings with the default hook time limit. */
    public ServiceSettings(boolean guardNewConnections, boolean forceCloseAtDeadline) {
        this(guardNewConnections, forceCloseAtDeadline, DEFAULT_HOOK_TIMEOUT_SECONDS);
    }

    public ServiceSettings withGuardNewConnections(boolean on) {
        return new ServiceSettings(on, forceCloseAtDeadline, hookTimeoutSeconds);
    }

    public ServiceSettings withForceCloseAtDeadline(boolean on) {
        return new ServiceSettings(guardNewConnections, on, hookTimeoutSeconds);
    }

    public ServiceSettings withHookTimeoutSeconds(long seconds) {
        return new ServiceSettings(guardNewConnections, forceCloseAtDeadline, seconds);
    }
}
