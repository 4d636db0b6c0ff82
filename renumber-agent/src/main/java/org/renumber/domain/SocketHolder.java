package org.renumber.domain;

import java.util.Objects;
import java.util.Set;

/**
 * A process holding sockets.
 *
 * @param pid     process id, in the agent's PID namespace
 * @param command its command line (empty when it could not be read)
 * @param inodes  the socket inodes it holds among those asked about
 */
public record SocketHolder(long pid, String command, Set<Long> inodes) {

    public SocketHolder {
        command = command == null ? "" : command;
        inodes = Set.copyOf(Objects.requireNonNull(inodes, "inodes"));
    }
}
