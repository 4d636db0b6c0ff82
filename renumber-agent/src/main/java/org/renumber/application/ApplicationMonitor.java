package org.renumber.application;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.EventType;
import org.renumber.domain.LegacyApplication;
import org.renumber.domain.ProcessInfo;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.port.ApplicationStore;
import org.renumber.domain.port.ChangeListener;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.domain.port.ProcessControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restarts the declared legacy applications that hold the old address when a change targeting them starts.
 *
 * <p>On {@code renumber.change.started} for a change whose targets are empty (everyone) or name the
 * application's group: the sockets on the old address come from the {@link ConnectionTracker} (one filtered
 * dump), the application's processes from its command-line pattern, and only those processes are checked for
 * descriptors on those sockets. An application none of whose processes holds the old address is left alone.
 * The others get SIGTERM, SIGKILL if still running after the grace period, then the restart command runs (or
 * its supervisor restarts it), and the monitor waits as long as the application's declared startup time for a new
 * process matching the pattern. The outcome is a {@link ApplicationEvent}: RESTARTED, or FAILED with the reason.
 *
 * <p>The restart command gets the change in its environment: {@code RENUMBER_APPLICATION},
 * {@code RENUMBER_CHANGE_ID}, {@code RENUMBER_INTERFACE}, {@code RENUMBER_OLD_ADDRESS},
 * {@code RENUMBER_NEW_ADDRESS} (addresses without prefix) and {@code RENUMBER_NEW_PREFIX}.
 *
 * <p>Everything runs on one thread of the monitor's own; the service's thread only hands the event over.
 */
public final class ApplicationMonitor implements ChangeListener, AutoCloseable {

    /** Told what the monitor did; called on the monitor's thread. */
    public interface Listener {
        void applicationEvent(ApplicationEvent event);
    }

    /** How long a process may take to go after SIGKILL (a process in uninterruptible sleep may never). */
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int HISTORY_SIZE = 50;
    private static final Logger log = LoggerFactory.getLogger(ApplicationMonitor.class);

    private final ApplicationStore store;
    private final ProcessControl processes;
    private final ConnectionTracker tracker;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread t = new Thread(runnable, "renumber-applications");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, LegacyApplication> applications = new LinkedHashMap<>();
    private final Set<String> restarting = ConcurrentHashMap.newKeySet();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Deque<ApplicationEvent> history = new ArrayDeque<>();

    public ApplicationMonitor(ApplicationStore store, ProcessControl processes, ConnectionTracker tracker) {
        this.store = requireNonNull(store, "store");
        this.processes = requireNonNull(processes, "processes");
        this.tracker = requireNonNull(tracker, "tracker");
        for (LegacyApplication application : store.load()) {
            applications.put(application.name(), application);
        }
    }

    public void addListener(Listener listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    /** Declares an application; a name that is taken is refused (remove it first). Persisted before it returns. */
    public LegacyApplication declare(String name, String group, String processPattern, String restartCommand,
                                    long graceSeconds, long startupSeconds) {
        LegacyApplication application = new LegacyApplication(name, group, processPattern, restartCommand,
                graceSeconds, startupSeconds);
        synchronized (this) {
            if (applications.containsKey(application.name())) {
                throw new IllegalArgumentException("application '" + application.name()
                        + "' is already declared: remove it first or pick another name");
            }
            Map<String, LegacyApplication> next = new LinkedHashMap<>(applications);
            next.put(application.name(), application);
            store.save(List.copyOf(next.values()));
            applications.put(application.name(), application);
        }
        log.info("legacy application declared: {}", application.describe());
        return application;
    }

    public void remove(String name) {
        synchronized (this) {
            if (!applications.containsKey(name)) {
                throw new IllegalArgumentException("no application named '" + name + "'; declared: "
                        + applications.keySet());
            }
            Map<String, LegacyApplication> next = new LinkedHashMap<>(applications);
            next.remove(name);
            store.save(List.copyOf(next.values()));
            applications.remove(name);
        }
        log.info("legacy application {} removed", name);
    }

    /** The groups the declared applications belong to (a change may target them with {@code group:NAME}). */
    public synchronized Set<String> groups() {
        return applications().stream().map(LegacyApplication::group).filter(g -> !g.isEmpty())
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    public synchronized List<LegacyApplication> applications() {
        List<LegacyApplication> list = new ArrayList<>(applications.values());
        list.sort(Comparator.comparing(LegacyApplication::name));
        return list;
    }

    /** The processes the application's pattern matches now, so an operator can check the pattern. */
    public List<ProcessInfo> processes(String name) {
        LegacyApplication application;
        synchronized (this) {
            application = applications.get(name);
        }
        if (application == null) {
            throw new IllegalArgumentException("no application named '" + name + "'");
        }
        return processes.find(application.pattern());
    }

    /** What the monitor did lately, most recent first. */
    public synchronized List<ApplicationEvent> recentEvents() {
        List<ApplicationEvent> list = new ArrayList<>(history);
        java.util.Collections.reverse(list);
        return list;
    }

    /**
     * The applications a change of {@code oldAddress} with {@code targets} would restart if it started now: those it
     * targets with a process holding a socket on the old address. Only reads the socket table and /proc.
     */
    public List<String> wouldRestart(String targets, InetAddress oldAddress) {
        Set<Long> inodes = tracker.sockets(oldAddress).stream().map(SocketEntry::inode).filter(inode -> inode != 0)
                .collect(Collectors.toSet());
        if (inodes.isEmpty()) {
            return List.of();
        }
        return applications().stream().filter(a -> a.targetedBy(targets))
                .filter(a -> !processes.holdingSockets(processes.find(a.pattern()), inodes).isEmpty())
                .map(LegacyApplication::name).toList();
    }

    @Override
    public void event(ChangeEvent event) {
        if (event.type() != EventType.STARTED) {
            return;
        }
        Change change = event.change();
        for (LegacyApplication application : applications()) {
            if (application.targetedBy(change.request().targets())) {
                try {
                    thread.execute(() -> react(application, change));
                } catch (RejectedExecutionException e) {
                    return; // closing
                }
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }

    private void react(LegacyApplication application, Change change) {
        InetAddress old = change.request().oldAddress().address();
        Set<Long> inodes;
        Set<ProcessInfo> holders;
        List<ProcessInfo> before;
        try {
            inodes = tracker.sockets(old).stream().map(SocketEntry::inode).filter(inode -> inode != 0)
                    .collect(Collectors.toSet());
            if (inodes.isEmpty()) {
                log.info("change {}: no socket uses {}; {} left alone", change.id(), old.getHostAddress(),
                        application.name());
                return;
            }
            before = processes.find(application.pattern());
            holders = processes.holdingSockets(before, inodes);
        } catch (RuntimeException e) {
            publish(new Restart(application, change, Set.of(), List.of()).event(ApplicationEvent.Type.FAILED,
                    "could not find its processes: " + e.getMessage(), List.of()));
            return;
        }
        if (holders.isEmpty()) {
            log.info("change {}: no process of {} ({} matching) holds {}; left alone", change.id(),
                    application.name(), before.size(), old.getHostAddress());
            return;
        }
        if (!restarting.add(application.name())) {
            log.info("change {}: {} is being restarted already", change.id(), application.name());
            return;
        }
        new Restart(application, change, holders, before).begin();
    }

    private void publish(ApplicationEvent event) {
        if (event.type() == ApplicationEvent.Type.FAILED) {
            log.warn("change {}: application {} {}", event.changeId(), event.application(), event.message());
        } else {
            log.info("change {}: application {} {}", event.changeId(), event.application(), event.message());
        }
        synchronized (this) {
            history.addLast(event);
            while (history.size() > HISTORY_SIZE) {
                history.removeFirst();
            }
        }
        for (Listener listener : listeners) {
            try {
                listener.applicationEvent(event);
            } catch (RuntimeException e) {
                log.warn("application listener failed on {}", event.type(), e);
            }
        }
    }

    /** One stop-and-restart of one application; every step runs on the monitor's thread. */
    private final class Restart {
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

        Restart(LegacyApplication application, Change change, Set<ProcessInfo> holders, List<ProcessInfo> before) {
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
            restarting.remove(application.name());
            publish(event);
        }

        private ApplicationEvent event(ApplicationEvent.Type type, String message, List<Long> started) {
            return new ApplicationEvent(type, application.name(), application.group(), change.id(),
                    change.request().interfaceName(), change.request().oldAddress().toString(), change.request()
                    .newAddress().toString(),
                    pids(holders), killed, started, message);
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
    }

    private static List<Long> pids(Collection<ProcessInfo> list) {
        return list.stream().map(ProcessInfo::pid).sorted().toList();
    }
}
