package org.renumber.process;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.renumber.domain.ProcessInfo;
import org.renumber.domain.port.ProcessControl;
import org.renumber.journal.StateDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ProcessControl} on Linux. Finding an application reads {@code /proc/PID/cmdline} of every process (one
 * small read each); which of its processes hold a socket is answered from {@code /proc/PID/fd} of the matched
 * processes only ({@code socket:[INODE]} links, compared with the inodes the kernel's socket table gave), never
 * by walking every descriptor on the host. Signals go through {@link ProcessHandle}, which checks the process's
 * start time, so a reused pid is never hit.
 *
 * <p>Restart commands run as {@code setsid nsenter --net=/run/netns/NAME sh -c COMMAND} (without nsenter when the
 * agent manages its own namespace): in their own session, so a Ctrl-C or SIGTERM meant for the agent's process
 * group does not reach the restarted application, with stdin from /dev/null and their output appended to
 * {@code <log directory>/<application>.log}.
 */
public final class ProcfsProcessControl implements ProcessControl {

    private static final Logger log = LoggerFactory.getLogger(ProcfsProcessControl.class);
    private static final File DEV_NULL = new File("/dev/null");

    private final String netns;
    private final Path logDirectory;
    private final long self = ProcessHandle.current().pid();

    /**
     * @param netns        the managed namespace ({@code /run/netns/NAME}), null for the agent's own
     * @param logDirectory where the restart commands' output goes (created when needed)
     */
    public ProcfsProcessControl(String netns, Path logDirectory) {
        this.netns = netns;
        this.logDirectory = requireNonNull(logDirectory, "logDirectory");
    }

    @Override
    public List<ProcessInfo> find(Pattern commandLine) {
        List<ProcessInfo> found = new ArrayList<>();
        for (Procfs.ProcessDirectory process : Procfs.processes()) {
            long pid = process.pid();
            if (pid == self) {
                continue;
            }
            String line = commandLine(process.path());
            if (!line.isEmpty() && commandLine.matcher(line).find()) {
                startTime(pid).ifPresent(started -> found.add(new ProcessInfo(pid, started, line)));
            }
        }
        return found;
    }

    @Override
    public Set<ProcessInfo> holdingSockets(Collection<ProcessInfo> candidates, Set<Long> socketInodes) {
        Set<ProcessInfo> holders = new LinkedHashSet<>();
        for (ProcessInfo candidate : candidates) {
            if (!Procfs.socketsOf(candidate.pid(), socketInodes).isEmpty()) {
                holders.add(candidate);
            }
        }
        return holders;
    }

    @Override
    public boolean terminate(ProcessInfo process) {
        return handle(process).map(ProcessHandle::destroy).orElse(false);
    }

    @Override
    public boolean kill(ProcessInfo process) {
        return handle(process).map(ProcessHandle::destroyForcibly).orElse(false);
    }

    @Override
    public CompletableFuture<Void> onExit(ProcessInfo process) {
        return handle(process).map(h -> h.onExit().<Void>thenApply(ignored -> null))
                .orElse(CompletableFuture.completedFuture(null));
    }

    @Override
    public Started start(String applicationName, String command, Map<String, String> environment) throws IOException {
        List<String> argv = new ArrayList<>(List.of("setsid"));
        if (netns != null) {
            argv.addAll(List.of("nsenter", "--net=/run/netns/" + netns));
        }
        argv.addAll(List.of("sh", "-c", command));
        StateDirectory.ensurePrivate(logDirectory);
        File output = logDirectory.resolve(applicationName + ".log").toFile();
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output))
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        log.info("restart command of {} started (pid {}), output in {}", applicationName, process.pid(), output);
        return new Started(process.pid(), process.onExit().thenApply(Process::exitValue));
    }

    /** The command line with NULs between arguments turned into spaces; empty for kernel threads and the gone. */
    static String commandLine(Path processDirectory) {
        try {
            byte[] raw = Files.readAllBytes(processDirectory.resolve("cmdline"));
            int end = raw.length;
            while (end > 0 && raw[end - 1] == 0) {
                end--;
            }
            for (int i = 0; i < end; i++) {
                if (raw[i] == 0) {
                    raw[i] = ' ';
                }
            }
            return new String(raw, 0, end, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // exited meanwhile, or not ours to read
        }
    }

    private static Optional<Instant> startTime(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
    }

    private static Optional<ProcessHandle> handle(ProcessInfo process) {
        return ProcessHandle.of(process.pid())
                .filter(ProcessHandle::isAlive)
                .filter(h -> process.startedAt() == null
                        || Objects.equals(h.info().startInstant().orElse(null), process.startedAt()));
    }
}
