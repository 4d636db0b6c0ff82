package org.renumber.domain;

import static java.util.Objects.requireNonNull;

/**
 * The kernel as the address change workflow sees it, in the managed namespace: addresses and routes, the
 * socket table, the inbound guard and the socket killer.
 */
public record KernelPorts(NetworkControl network, ConnectionTracker tracker, InboundGuard guard, SocketKiller killer) {

    public KernelPorts {
        requireNonNull(network, "network");
        requireNonNull(tracker, "tracker");
        requireNonNull(guard, "guard");
        requireNonNull(killer, "killer");
    }
}
