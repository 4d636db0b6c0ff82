package org.renumber.domain.port;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.renumber.domain.SocketHolder;

/**
 * Which processes own which sockets. The kernel's socket table names a socket's inode, not its process; the link
 * from process to socket is in the process's descriptor table ({@code /proc/PID/fd} on Linux). Both questions
 * take the inodes the {@link ConnectionTracker} already matched to an address, so only those are looked for.
 */
public interface SocketOwners {

    /** Knows no owners: partial migration is refused, and holders are never shown. */
    SocketOwners NONE = new SocketOwners() {
        @Override
        public boolean available() {
            return false;
        }

        @Override
        public Set<Long> heldBy(Collection<Long> pids, Set<Long> inodes) {
            return Set.of();
        }

        @Override
        public List<SocketHolder> holders(Set<Long> inodes) {
            return List.of();
        }
    };

    /** Whether this agent can tell sockets' owners at all. */
    default boolean available() {
        return true;
    }

    /**
     * The inodes among {@code inodes} that one of the processes {@code pids} holds; reads only those processes'
     * descriptors. A process that has exited holds nothing.
     */
    Set<Long> heldBy(Collection<Long> pids, Set<Long> inodes);

    /** The processes holding any of {@code inodes}, each with the inodes it holds; empty for no inodes. */
    List<SocketHolder> holders(Set<Long> inodes);

    /**
     * The id, in the agent's PID namespace, of the running process that is {@code pid} in the PID namespace
     * {@code pidNamespace} (as {@code /proc/self/ns/pid} names it, {@code pid:[4026532710]}; empty for the agent's
     * own). An application in a container sees its own ids, which mean nothing, or another process, to the agent.
     *
     * @throws IllegalArgumentException when the agent sees no such process
     */
    default long agentPid(long pid, String pidNamespace) {
        if (pidNamespace.isEmpty()) {
            return pid;
        }
        throw new IllegalArgumentException("this agent cannot translate process ids from PID namespace "
                + pidNamespace);
    }
}
