package org.renumber.domain;

/**
 * The service's operator settings, persisted across restarts. Both default to off: a change then behaves as
 * before these settings existed (new connections to the old address are accepted during the drain, and
 * connections still open at the deadline are left open when the old address is removed).
 *
 * @param guardNewConnections  from STARTED until the change ends, refuse new inbound TCP connections to the old
 *                             address with a reset ({@link InboundGuard}); established ones keep flowing
 * @param forceCloseAtDeadline at the drain deadline, destroy the TCP connections and UDP sockets still on the
 *                             old address ({@link SocketKiller}) before removing it
 */
public record ServiceSettings(boolean guardNewConnections, boolean forceCloseAtDeadline) {

    /** Both off. */
    public static final ServiceSettings DEFAULTS = new ServiceSettings(false, false);

    public ServiceSettings withGuardNewConnections(boolean on) {
        return new ServiceSettings(on, forceCloseAtDeadline);
    }

    public ServiceSettings withForceCloseAtDeadline(boolean on) {
        return new ServiceSettings(guardNewConnections, on);
    }
}
