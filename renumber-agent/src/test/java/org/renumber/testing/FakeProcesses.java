package org.renumber.testing;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.renumber.domain.ProcessInfo;
import org.renumber.domain.port.ProcessControl;

/** A process table stand-in: processes with command lines and socket inodes, signals written down. */
public final class FakeProcesses implements ProcessControl {

    /** What a fake restart command does: given the command and its environment, the command's exit code. */
    public interface Command extends BiFunction<String, Map<String, String>, CompletableFuture<Integer>> {
    }

    private final Map<Long, Running> table = new LinkedHashMap<>();
    public final List<String> signals = new CopyOnWriteArrayList<>();
    public final List<Map<String, String>> environments = new CopyOnWriteArrayList<>();
    private long nextPid = 1000;
    private Command command = (cmd, env) -> new CompletableFuture<>();
    private Runnable onKilled = () -> { };

    private static final class Running {
        final ProcessInfo info;
        final Set<Long> sockets;
        final boolean ignoresTerm;
        final CompletableFuture<Void> exit = new CompletableFuture<>();

        Running(ProcessInfo info, Set<Long> sockets, boolean ignoresTerm) {
            this.info = info;
            this.sockets = sockets;
            this.ignoresTerm = ignoresTerm;
        }
    }

    public synchronized long run(String commandLine, Set<Long> sockets, boolean ignoresTerm) {
        long pid = nextPid++;
        table.put(pid, new Running(new ProcessInfo(pid, Instant.ofEpochSecond(pid), commandLine), sockets, ignoresTerm));
        return pid;
    }

    public long run(String commandLine, Long... sockets) {
        return run(commandLine, Set.of(sockets), false);
    }

    /** The restart command "starts" the application: a new process with this command line. */
    public FakeProcesses restartStarts(String commandLine) {
        command = (cmd, env) -> {
            run(commandLine);
            return new CompletableFuture<>();
        };
        return this;
    }

    public FakeProcesses restartExits(int status) {
        command = (cmd, env) -> CompletableFuture.completedFuture(status);
        return this;
    }

    /** A supervisor that starts {@code commandLine} again whenever a process exits. */
    public FakeProcesses supervisorStarts(String commandLine) {
        onKilled = () -> run(commandLine);
        return this;
    }

    public synchronized boolean isRunning(long pid) {
        return table.containsKey(pid);
    }

    @Override
    public synchronized List<ProcessInfo> find(Pattern commandLine) {
        return table.values().stream().map(r -> r.info).filter(i -> commandLine.matcher(i.commandLine()).find())
                .toList();
    }

    @Override
    public synchronized Set<ProcessInfo> holdingSockets(Collection<ProcessInfo> candidates, Set<Long> socketInodes) {
        Set<ProcessInfo> holders = new LinkedHashSet<>();
        for (ProcessInfo candidate : candidates) {
            Running running = table.get(candidate.pid());
            if (running != null && running.sockets.stream().anyMatch(socketInodes::contains)) {
                holders.add(candidate);
            }
        }
        return holders;
    }

    @Override
    public boolean terminate(ProcessInfo process) {
        signals.add("TERM " + process.pid());
        Running running;
        synchronized (this) {
            running = table.get(process.pid());
        }
        if (running == null) {
            return false;
        }
        if (!running.ignoresTerm) {
            exit(process.pid());
        }
        return true;
    }

    @Override
    public boolean kill(ProcessInfo process) {
        signals.add("KILL " + process.pid());
        return exit(process.pid());
    }

    private boolean exit(long pid) {
        Running running;
        synchronized (this) {
            running = table.remove(pid);
        }
        if (running == null) {
            return false;
        }
        running.exit.complete(null);
        onKilled.run();
        return true;
    }

    @Override
    public synchronized CompletableFuture<Void> onExit(ProcessInfo process) {
        Running running = table.get(process.pid());
        return running == null ? CompletableFuture.completedFuture(null) : running.exit;
    }

    @Override
    public Started start(String applicationName, String cmd, Map<String, String> environment) {
        environments.add(Map.copyOf(environment));
        return new Started(9999, command.apply(cmd, environment));
    }
}
