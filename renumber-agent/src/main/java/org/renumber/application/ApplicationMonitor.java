package org.renumber.application;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
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
                .collect(Collectors.toUnmodifiableSet());
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
        Collections.reverse(list);
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
            publish(restart(application, change, Set.of(), List.of()).event(ApplicationEvent.Type.FAILED,
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
        restart(application, change, holders, before).begin();
    }

    private ApplicationRestart restart(LegacyApplication application, Change change, Set<ProcessInfo> holders,
                                       List<ProcessInfo> before) {
        return new ApplicationRestart(processes, thread, event -> {
            restarting.remove(application.name());
            publish(event);
        }, application, change, holders, before);
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
}
