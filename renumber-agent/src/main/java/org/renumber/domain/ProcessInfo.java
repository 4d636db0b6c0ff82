package org.renumber.domain;

import java.time.Instant;

/**
 * A process as found: the pid together with its start time identifies it, so a pid reused by another process
 * is never signalled by mistake.
 *
 * @param pid         process id in the agent's PID namespace
 * @param startedAt   when it started, null when unknown
 * @param commandLine arguments joined with single spaces
 */
public record ProcessInfo(long pid, Instant startedAt, String commandLine) {

    /** {@code 1234 python3 -m http.server} */
    public String describe() {
        return pid + " " + commandLine;
    }
}
