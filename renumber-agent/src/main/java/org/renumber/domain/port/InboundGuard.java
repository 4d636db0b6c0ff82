package org.renumber.domain.port;

import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.renumber.domain.GuardUnavailableException;
import org.renumber.domain.NetworkException;

/**
 * Refuses new inbound TCP connections to an address of the managed namespace while the connections already
 * established on it keep flowing: during a drain, clients still resolving the old address are told at once
 * (a TCP reset, "connection refused") instead of opening connections that the removal would cut later.
 *
 * <p>Guards outlive the agent: they are kernel state (firewall rules). Everything here is idempotent, and
 * {@link #activeGuards()} reads what the kernel holds, so a restarted agent can remove the guards of changes
 * it no longer runs ({@link #releaseAllExcept}).
 */
public interface InboundGuard {

    /**
     * Empty when guards can be set in the managed namespace; otherwise why not, in words an operator can act
     * on (e.g. the tool is not installed). Checks the environment each time: installing the tool later helps.
     */
    Optional<String> unavailableReason();

    default boolean available() {
        return unavailableReason().isEmpty();
    }

    /** @throws GuardUnavailableException with {@link #unavailableReason()} when guards cannot be set */
    default void requireAvailable() {
        Optional<String> reason = unavailableReason();
        if (reason.isPresent()) {
            throw new GuardUnavailableException(reason.get());
        }
    }

    /**
     * From now on, new inbound TCP connection attempts (SYN without ACK) to {@code address} are answered with a
     * reset; established connections are not affected. Guarding an address already guarded changes nothing.
     *
     * @throws GuardUnavailableException when the mechanism is missing (never a silent no-op)
     * @throws NetworkException when the kernel refused the rule
     */
    void guard(InetAddress address);

    /**
     * Removes the guard of {@code address}; nothing happens when there is none. Returns whether one was removed.
     *
     * @throws GuardUnavailableException when the mechanism is missing, so existing guards cannot even be read
     */
    boolean release(InetAddress address);

    /** The guards the kernel holds now, in the order they were set. */
    List<Guard> activeGuards();

    /**
     * Removes every guard whose address is not in {@code keep}: what a restarted agent calls with the old
     * addresses of the changes it resumes, so guards of changes that ended while it was down do not leak.
     * Returns the addresses released.
     */
    default Set<InetAddress> releaseAllExcept(Set<InetAddress> keep) {
        Objects.requireNonNull(keep, "keep");
        Set<InetAddress> released = new LinkedHashSet<>();
        for (Guard guard : activeGuards()) {
            if (!keep.contains(guard.address()) && release(guard.address())) {
                released.add(guard.address());
            }
        }
        return Set.copyOf(released);
    }

    /**
     * One guard as the kernel holds it.
     *
     * @param address         the guarded local address
     * @param refusedAttempts connection attempts refused so far (SYN packets answered with a reset)
     */
    record Guard(InetAddress address, long refusedAttempts) {
        public Guard {
            Objects.requireNonNull(address, "address");
        }
    }
}
