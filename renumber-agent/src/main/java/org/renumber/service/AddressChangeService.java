package org.renumber.service;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeKind;
import org.renumber.domain.ChangeLimits;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeState;
import org.renumber.domain.ChangeWarning;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.ServiceSettings;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.AddressChanges;
import org.renumber.domain.port.ChangeJournal;
import org.renumber.domain.port.ChangeListener;
import org.renumber.domain.port.KernelPorts;
import org.renumber.domain.port.ServiceSettingsStore;
import org.renumber.service.ChangeValidation.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts address changes, validates them before anything is touched, runs one {@link ChangeWorkflow}
 * per change (one change per interface at a time) and resumes journaled changes at start.
 */
public final class AddressChangeService implements AddressChanges, AutoCloseable {

    /** Longest drain an operator may ask for: a week. Anything longer is a typo. */
    public static final long MAX_DRAIN_SECONDS = ChangeLimits.MAX_DRAIN_SECONDS;
    /** Longest a caller may block in {@link #awaitChange}. */
    public static final long MAX_AWAIT_SECONDS = Duration.ofDays(1).toSeconds();
    /** Longest warning before a scheduled change: a day. */
    public static final long MAX_WARNING_SECONDS = Duration.ofDays(1).toSeconds();
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(AddressChangeService.class);

    private final KernelPorts kernel;
    private final ServiceSettingsStore settings;
    private final WorkflowContext context;
    private final ChangeJournal journal;
    private final SubscriberRegistry subscribers;
    private final Clock clock;
    private final ExecutorService workers = Executors.newCachedThreadPool(daemon("renumber-change"));
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("renumber-timer"));
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final ActiveChanges changes = new ActiveChanges();
    private final ChangeValidation validation;
    private final SubscriberProcesses processes;
    private final ChangePlanner planner;

    public AddressChangeService(KernelPorts kernel, ChangeJournal journal, ServiceSettingsStore settings,
                                SubscriberRegistry subscribers, Clock clock) {
        this(kernel, journal, settings, subscribers, clock, PreStartHook.NONE);
    }

    /** With {@code preStart} asked before each change starts (the dispatcher's {@code pre-started} hooks). */
    public AddressChangeService(KernelPorts kernel, ChangeJournal journal, ServiceSettingsStore settings,
                                SubscriberRegistry subscribers, Clock clock, PreStartHook preStart) {
        this.kernel = requireNonNull(kernel, "kernel");
        this.journal = requireNonNull(journal, "journal");
        this.settings = requireNonNull(settings, "settings");
        this.subscribers = requireNonNull(subscribers, "subscribers");
        this.clock = requireNonNull(clock, "clock");
        this.context = new WorkflowContext(kernel, journal, settings, subscribers, timers, clock, preStart);
        this.validation = new ChangeValidation(kernel, subscribers, changes);
        this.processes = new SubscriberProcesses(kernel, subscribers);
        this.planner = new ChangePlanner(validation, processes, kernel, settings, subscribers);
    }

    /** The dry run of a change: what {@link #changeAddress} or {@link #migrateSubscribers} would do, doing nothing. */
    public ChangePlanner planner() {
        return planner;
    }

    @Override
    public void addListener(ChangeListener listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    public SubscriberRegistry subscribers() {
        return subscribers;
    }

    /** Loads the history and resumes every change the journal shows unfinished. */
    public void start() {
        List<Change> unfinished = changes.load(journal.changes());
        changes.finished().forEach(c -> listeners.forEach(l -> l.changeAccepted(c.id())));
        GuardStep.releaseLeaked(kernel.guard(), unfinished);
        for (Change change : unfinished) {
            log.info("change {} found in state {} at start; resuming", change.id(), change.progress().state());
            launch(change, true);
        }
    }

    /** The operator settings that apply to changes from now on. */
    public ServiceSettings settings() {
        return settings.current();
    }

    /**
     * Refuses new inbound connections to the old address during the drain of changes started from now on.
     * Switching it on fails at once when the guard cannot work here (e.g. no nft), never later and silently.
     */
    public synchronized void setGuardNewConnections(boolean on) {
        if (on) {
            kernel.guard().requireAvailable();
        }
        settings.save(settings.current().withGuardNewConnections(on));
        log.info("GuardNewConnections set to {}", on);
    }

    /** How long one dispatcher hook may run, for hooks started from now on. */
    public synchronized void setHookTimeoutSeconds(long seconds) {
        settings.save(settings.current().withHookTimeoutSeconds(seconds));
        log.info("HookTimeoutSeconds set to {}", seconds);
    }

    /** Destroys the sockets still on the old address at the drain deadline, for changes that reach it from now on. */
    public synchronized void setForceCloseAtDeadline(boolean on) {
        settings.save(settings.current().withForceCloseAtDeadline(on));
        log.info("ForceCloseAtDeadline set to {}", on);
    }

    /** Validates and accepts a change; returns its id. Nothing is touched when validation fails. */
    public String changeAddress(String interfaceName, String oldAddress, String newAddress, String targets,
                                long drainTimeoutSeconds) {
        Request request = validation.validate(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds,
                false);
        return accept(request, ChangeKind.REQUESTED, true, null);
    }

    /**
     * Like {@link #changeAddress}, but the targets are warned first ({@code renumber.change.warning}) and the change
     * starts when every target has called {@link #acknowledge} or when {@code warningSeconds} have passed.
     */
    public String scheduleChange(String interfaceName, String oldAddress, String newAddress, String targets,
                                 long drainTimeoutSeconds, long warningSeconds) {
        ChangeValidation.requireWarningSeconds(warningSeconds, "changeAddress");
        Request request = validation.validate(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds,
                false);
        return accept(request, ChangeKind.REQUESTED, true, warningOf(warningSeconds));
    }

    /**
     * Partial migration: moves only the targeted applications to the new address. The new address is added (if it
     * is not on the interface already), only the targets are notified, only the connections of their processes (the
     * PIDs on their Subscriptions) are waited for, and the old address stays: the other applications keep using it.
     * For the same reason nothing steers outbound traffic to the new address (no route source change, no IPv6
     * deprecation), no inbound guard is applied and nothing is force-closed at the deadline: each of those would
     * act on every application on the old address, not only on the targets.
     */
    public String migrateSubscribers(String interfaceName, String oldAddress, String newAddress, String targets,
                                     long drainTimeoutSeconds) {
        return accept(validation.validateMigration(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds),
                ChangeKind.MIGRATION, false, null);
    }

    /**
     * A {@link #migrateSubscribers partial migration} whose targets are warned first, as in {@link #scheduleChange}:
     * it starts when every target has called {@link #acknowledge} or when {@code warningSeconds} have passed.
     */
    public String scheduleMigration(String interfaceName, String oldAddress, String newAddress, String targets,
                                    long drainTimeoutSeconds, long warningSeconds) {
        ChangeValidation.requireWarningSeconds(warningSeconds, "migrateSubscribers");
        return accept(validation.validateMigration(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds),
                ChangeKind.MIGRATION, false, warningOf(warningSeconds));
    }

    private ChangeWarning warningOf(long warningSeconds) {
        return ChangeWarning.starting(clock.instant(), warningSeconds);
    }

    /**
     * Records the process of a subscribed application as the application knows itself: its id in its own PID
     * namespace, and that namespace ({@code pid:[INODE]} from {@code /proc/self/ns/pid}; empty for the agent's).
     * The agent keeps the id it sees the process by, which partial migrations and holders need.
     *
     * @return the process id in the agent's PID namespace
     */
    public long recordProcess(String subscriberId, long pid, String pidNamespace) {
        return processes.recordProcess(subscriberId, pid, pidNamespace);
    }

    /**
     * A target of a scheduled change is ready for it ({@code ready(changeId)} on its Subscription MBean). When every
     * target is, the change starts without waiting for the rest of its warning time. Saying it twice is harmless.
     */
    public void acknowledge(String changeId, String subscriberId) {
        changes.requireRunning(required(changeId, "changeId").strip(), "; there is nothing to be ready for")
                .acknowledge(required(subscriberId, "subscriberId").strip());
    }

    /**
     * The processes holding sockets on {@code address}, one line each: {@code PID COMMAND: n connection(s)[, m
     * listener(s)]}. One socket-table lookup for the address, then the owners of only the sockets it matched.
     */
    public List<String> holders(InetAddress address) {
        return processes.holders(address);
    }

    private String accept(Request request, ChangeKind kind, boolean removeOldAddress, ChangeWarning warning) {
        synchronized (this) {
            changes.refuseIfBusy(request.interfaceName());
            changes.refuseReserved(request.fresh());
            Set<String> recipients = subscribers.resolve(request.targets(), request.interfaceName(),
                    request.old().address());
            Change change = Change.accepted(ChangeRequest.builder().id(changes.newId())
                    .renumber(request.interfaceName(), request.old(), request.fresh())
                    .targets(request.targetsText()).subscriberIds(List.copyOf(recipients))
                    .drainTimeoutSeconds(request.drainTimeoutSeconds()).kind(kind).removeOldAddress(removeOldAddress)
                    .warning(warning).requestedAt(clock.instant()).build());
            journal.saveChange(change);
            log.info("change {} REQUESTED on {} ({} -> {}), targets '{}' -> {}, drain timeout {} s{}{}", change.id(),
                    request.interfaceName(), request.old(), request.fresh(), request.targetsText(), recipients,
                    request.drainTimeoutSeconds(),
                    kind == ChangeKind.MIGRATION ? ", partial migration (old address kept)" : "",
                    warning == null ? "" : ", warning until " + warning.warningEnd());
            launch(change, false);
            return change.id();
        }
    }

    /**
     * Runs the workflow around a renumbering an operator did by hand (both addresses are already on the
     * interface): every subscriber whose scope covers the old address is told, the connections on the old
     * address are followed, and the alias is reported removable — or removed, if {@code removeAlias}.
     */
    @Override
    public String adoptManualChange(String interfaceName, InterfaceAddress oldAddress, InterfaceAddress newAddress,
                                    long drainTimeoutSeconds, boolean removeAlias) {
        validation.validateAdoption(interfaceName, oldAddress, newAddress, drainTimeoutSeconds);
        synchronized (this) {
            changes.refuseIfBusy(interfaceName);
            Set<String> recipients = subscribers.resolve(Targets.parse(""), interfaceName, oldAddress.address());
            Change change = Change.accepted(ChangeRequest.builder().id(changes.newId())
                    .renumber(interfaceName, oldAddress, newAddress).subscriberIds(List.copyOf(recipients))
                    .drainTimeoutSeconds(drainTimeoutSeconds).kind(ChangeKind.DETECTED).removeOldAddress(removeAlias)
                    .requestedAt(clock.instant()).build());
            journal.saveChange(change);
            log.info("change {} DETECTED on {} ({} -> {}), subscribers {}, drain timeout {} s, alias {}", change.id(),
                    interfaceName, oldAddress, newAddress, recipients, drainTimeoutSeconds,
                    removeAlias ? "removed when drained" : "kept for the operator");
            launch(change, false);
            return change.id();
        }
    }

    /** Blocks until the change ends or the timeout passes; returns its state then. */
    public ChangeState awaitChange(String changeId, long timeoutSeconds) throws InterruptedException {
        if (timeoutSeconds < 0 || timeoutSeconds > MAX_AWAIT_SECONDS) {
            throw new IllegalArgumentException("timeoutSeconds " + timeoutSeconds + " is out of range 0-"
                    + MAX_AWAIT_SECONDS);
        }
        return changes.await(required(changeId, "changeId").strip(), Duration.ofSeconds(timeoutSeconds));
    }

    /** Rolls a change back (new address removed, old untouched) if it has not started removing the old one. */
    public void cancelChange(String changeId) throws InterruptedException {
        changes.cancel(required(changeId, "changeId").strip(), CANCEL_WAIT);
    }

    public Optional<Change> change(String changeId) {
        return changes.find(changeId);
    }

    @Override
    public List<Change> activeChanges() {
        return changes.active();
    }

    /** Finished changes, most recent first. */
    @Override
    public List<Change> recentChanges() {
        return changes.recent();
    }

    /** Number of live connections still using the old address of an active change. */
    public int connectionsOn(InetAddress address) {
        return kernel.tracker().countConnections(address);
    }

    private void launch(Change change, boolean resumed) {
        ChangeWorkflow workflow = new ChangeWorkflow(change, resumed, context, this::publish, this::retire);
        changes.add(workflow);
        listeners.forEach(l -> l.changeAccepted(change.id()));
        workers.execute(workflow);
    }

    private void retire(Change finished) {
        changes.retire(finished).forEach(id -> listeners.forEach(l -> l.changeEvicted(id)));
    }

    private void publish(ChangeEvent event) {
        for (ChangeListener listener : listeners) {
            try {
                listener.event(event);
            } catch (RuntimeException e) {
                log.warn("listener failed on {} for change {}", event.type(), event.change().id(), e);
            }
        }
    }

    private static String required(String value, String name) {
        return ChangeValidation.required(value, name);
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Stops the workers; unfinished changes stay journaled and resume at the next start. */
    @Override
    public void close() {
        workers.shutdownNow();
        timers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
