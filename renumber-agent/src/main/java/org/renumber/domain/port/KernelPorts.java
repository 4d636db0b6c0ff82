package org.renumber.domain.port;

import static java.util.Objects.requireNonNull;

/**
 * The kernel as the address change workflow sees it, in the managed namespace: addresses and routes, the
 * socket table, the inbound guard, the socket killer, and which processes own which sockets.
 */
public record KernelPorts(NetworkControl network, ConnectionTracker tracker, InboundGuard guard, SocketKiller killer,
                          SocketOwners owners) {

    public KernelPorts {
        requireNonNull(network, "network");
        requireNonNull(tracker, "tracker");
        requireNonNull(guard, "guard");
        requireNonNull(killer, "killer");
        requireNonNull(owners, "owners");
    }

    /** Without socket owners: partial migration is refused and no change shows who holds its old address. */
    public KernelPorts(NetworkControl network, ConnectionTracker tracker, InboundGuard guard, SocketKiller killer) {
        this(network, tracker, guard, killer, SocketOwners.NONE);
    }
}
