package org.renumber.domain.port;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.renumber.domain.ProcessInfo;

/** The processes of the node: finding them, what sockets they hold, signals, and starting commands. */
public interface ProcessControl {

    /** Live processes whose command line matches {@code commandLine} (searched, not fully matched); never the agent. */
    List<ProcessInfo> find(Pattern commandLine);

    /** Those of {@code candidates} that have an open descriptor on one of the sockets {@code socketInodes}. */
    Set<ProcessInfo> holdingSockets(Collection<ProcessInfo> candidates, Set<Long> socketInodes);

    /** SIGTERM; false when the process is gone (or is another process under a reused pid). */
    boolean terminate(ProcessInfo process);

    /** SIGKILL; false when the process is gone. */
    boolean kill(ProcessInfo process);

    /** Completes when the process has exited (at once when it is gone already). */
    CompletableFuture<Void> onExit(ProcessInfo process);

    /**
     * Starts {@code command} with {@code sh -c} inside the managed network namespace, detached from the agent
     * (own session), with {@code environment} added to the agent's. Returns at once with its exit code to come.
     */
    Started start(String applicationName, String command, Map<String, String> environment) throws IOException;

    /** A command that was started: the pid of its shell and its exit code when it ends. */
    record Started(long pid, CompletableFuture<Integer> exitCode) {
    }
}
