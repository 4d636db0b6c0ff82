package org.renumber.application;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.renumber.domain.Change;
import org.renumber.domain.LegacyApplication;
import org.renumber.domain.ProcessInfo;
import org.renumber.domain.port.ProcessControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stop-and-restart of one application ({@link ApplicationMonitor}); every step runs on the monitor's thread.
 * SIGTERM to the processes that hold the old address, SIGKILL after the grace period, then the restart command (or
 * the supervisor), and the wait for a new process; it ends once, as RESTARTED or FAILED.
 */
final class ApplicationRestart {

    /** How long a process may take to go after SIGKILL (a process in uninterruptible sleep may never). */
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Logger log = LoggerFactory.getLogger(ApplicationMonitor.class);

    private final ProcessControl processes;
    private final ScheduledExecutorService thread;
    private final Consumer<ApplicationEvent> ended;
    private final LegacyApplication application;
    private final Change change;
    private final Set<ProcessInfo> holders;
    private final List<ProcessInfo> before;
    private final Map<ProcessInfo, CompletableFuture<Void>> exits = new LinkedHashMap<>();
    private final List<Long> killed = new ArrayList<>();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private ProcessControl.Started command;
    private Integer commandExit;
    private boolean finished;

    /**
     * @param processes the processes' control
     * @param thread    the monitor's thread
     * @param ended     told the outcome, once
     */
    ApplicationRestart(ProcessControl processes, ScheduledExecutorService thread, Consumer<ApplicationEvent> ended,
                       LegacyApplication application, Change change, Set<ProcessInfo> holders,
                       List<ProcessInfo> before) {
        this.processes = processes;
        this.thread = thread;
        this.ended = ended;
        this.application = application;
        this.change = change;
        this.holders = holders;
        this.before = before;
    }

    void begin() {
        log.info("change {}: {} holds {} (processes {}); sending SIGTERM, SIGKILL after {} s", change.id(),
                application.name(), change.request().oldAddress(), pids(holders), application.graceSeconds());
        for (ProcessInfo process : holders) {
            processes.terminate(process);
            exits.put(process, processes.onExit(process));
        }
        CompletableFuture<Void> allExited = CompletableFuture.allOf(exits.values()
                .toArray(CompletableFuture[]::new));
        later(this::escalate, Duration.ofSeconds(application.graceSeconds()));
        later(() -> fail("process(es) " + stillRunning() + " did not exit within "
                + KILL_TIMEOUT.toSeconds() + " s of SIGKILL"),
                Duration.ofSeconds(application.graceSeconds()).plus(KILL_TIMEOUT));
        allExited.whenCompleteAsync((ignored, error) -> restart(), thread);
    }

    private void escalate() {
        if (finished) {
            return;
        }
        for (Map.Entry<ProcessInfo, CompletableFuture<Void>> exit : exits.entrySet()) {
            if (!exit.getValue().isDone() && processes.kill(exit.getKey())) {
                killed.add(exit.getKey().pid());
            }
        }
        if (!killed.isEmpty()) {
            log.warn("change {}: {} still running after {} s grace; sent SIGKILL to {}", change.id(),
                    application.name(), application.graceSeconds(), killed);
        }
    }

    private void restart() {
        if (finished) {
            return;
        }
        cancelTimers();
        if (!application.restartedBySupervisor()) {
            try {
                command = processes.start(application.name(), application.restartCommand(), environment());
            } catch (IOException | RuntimeException e) {
                fail("stopped, but the restart command could not be run: " + e.getMessage());
                return;
            }
            command.exitCode().whenCompleteAsync((code, error) -> commandEnded(code), thread);
        }
        ScheduledFuture<?> poll = thread.scheduleWithFixedDelay(this::lookForNewProcess, 0, POLL.toMillis(),
                TimeUnit.MILLISECONDS);
        timers.add(poll);
        later(() -> fail("no new process matching '" + application.processPattern() + "' appeared within "
                + application.startupSeconds() + " s" + commandOutcome()),
                Duration.ofSeconds(application.startupSeconds()));
    }

    private void commandEnded(Integer code) {
        commandExit = code;
        if (!finished && code != null && code != 0) {
            // A last look: the command may have started the application and then failed at something else.
            lookForNewProcess();
            if (!finished) {
                fail("the restart command exited with status " + code + " and no new process is running");
            }
        }
    }

    private void lookForNewProcess() {
        if (finished) {
            return;
        }
        String wrapper = "sh -c " + application.restartCommand();
        List<ProcessInfo> fresh = processes.find(application.pattern()).stream()
                .filter(p -> before.stream().noneMatch(b -> b.pid() == p.pid()
                        && Objects.equals(b.startedAt(), p.startedAt())))
                // The shell running the restart command quotes the pattern too; it is not the application.
                .filter(p -> application.restartedBySupervisor() || !p.commandLine().contains(wrapper))
                .toList();
        if (!fresh.isEmpty()) {
            finish(event(ApplicationEvent.Type.RESTARTED, "stopped " + pids(holders)
                    + (killed.isEmpty() ? "" : " (SIGKILL for " + killed + ")") + ", restarted "
                    + (application.restartedBySupervisor() ? "by its supervisor" : "by the restart command")
                    + ": new process(es) " + pids(fresh), pids(fresh)));
        }
    }

    private void fail(String reason) {
        if (!finished) {
            finish(event(ApplicationEvent.Type.FAILED, reason, List.of()));
        }
    }

    private void finish(ApplicationEvent event) {
        finished = true;
        cancelTimers();
        ended.accept(event);
    }

    ApplicationEvent event(ApplicationEvent.Type type, String message, List<Long> started) {
        return new ApplicationEvent(type, application.name(), application.group(), change.id(),
                change.request().interfaceName(), change.request().oldAddress().toString(),
                change.request().newAddress().toString(), pids(holders), killed, started, message);
    }

    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RENUMBER_APPLICATION", application.name());
        env.put("RENUMBER_CHANGE_ID", change.id());
        env.put("RENUMBER_INTERFACE", change.request().interfaceName());
        env.put("RENUMBER_OLD_ADDRESS", change.request().oldAddress().address().getHostAddress());
        env.put("RENUMBER_NEW_ADDRESS", change.request().newAddress().address().getHostAddress());
        env.put("RENUMBER_NEW_PREFIX", String.valueOf(change.request().newAddress().prefixLength()));
        return env;
    }

    private String commandOutcome() {
        if (command == null) {
            return "";
        }
        return commandExit == null ? " (the restart command, pid " + command.pid() + ", is still running)"
                : " (the restart command exited with status " + commandExit + ")";
    }

    private List<Long> stillRunning() {
        return exits.entrySet().stream().filter(e -> !e.getValue().isDone()).map(e -> e.getKey().pid()).toList();
    }

    private void later(Runnable task, Duration delay) {
        timers.add(thread.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS));
    }

    private void cancelTimers() {
        timers.forEach(t -> t.cancel(false));
        timers.clear();
    }

    private static List<Long> pids(Collection<ProcessInfo> list) {
        return list.stream().map(ProcessInfo::pid).sorted().toList();
    }
}
