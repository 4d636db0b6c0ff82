package org.renumber.service;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.renumber.domain.AddressRules;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeWarning;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeKind;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeLimits;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.NetInterface;
import org.renumber.domain.ServiceSettings;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.SocketHolder;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.AddressChanges;
import org.renumber.domain.port.ChangeJournal;
import org.renumber.domain.port.ChangeListener;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.domain.port.KernelPorts;
import org.renumber.domain.port.NetworkControl;
import org.renumber.domain.port.ServiceSettingsStore;
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
    static final int HISTORY_SIZE = 50;
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(30);
    private static final Pattern PID_NAMESPACE = Pattern.compile("pid:\\[[0-9]{1,20}\\]");

    private static final Logger log = LoggerFactory.getLogger(AddressChangeService.class);

    private final KernelPorts kernel;
    private final NetworkControl network;
    private final ServiceSettingsStore settings;
    private final WorkflowContext context;
    private final ConnectionTracker tracker;
    private final ChangeJournal journal;
    private final SubscriberRegistry subscribers;
    private final Clock clock;
    private final ExecutorService workers = Executors.newCachedThreadPool(daemon("renumber-change"));
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("renumber-timer"));
    private final SecureRandom random = new SecureRandom();
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final ChangePlanner planner;

    private final Map<String, ChangeWorkflow> active = new LinkedHashMap<>();
    private final Deque<Change> history = new ArrayDeque<>();

    public AddressChangeService(KernelPorts kernel, ChangeJournal journal, ServiceSettingsStore settings,
                                SubscriberRegistry subscribers, Clock clock) {
        this(kernel, journal, settings, subscribers, clock, PreStartHook.NONE);
    }

    /** With {@code preStart} asked before each change starts (the dispatcher's {@code pre-started} hooks). */
    public AddressChangeService(KernelPorts kernel, ChangeJournal journal, ServiceSettingsStore settings,
                                SubscriberRegistry subscribers, Clock clock, PreStartHook preStart) {
        this.kernel = requireNonNull(kernel, "kernel");
        this.network = kernel.network();
        this.tracker = kernel.tracker();
        this.journal = requireNonNull(journal, "journal");
        this.settings = requireNonNull(settings, "settings");
        this.subscribers = requireNonNull(subscribers, "subscribers");
        this.clock = requireNonNull(clock, "clock");
        this.context = new WorkflowContext(kernel, journal, settings, subscribers, timers, clock, preStart);
        this.planner = new ChangePlanner(this, kernel, settings, subscribers);
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
        List<Change> journaled = new ArrayList<>(journal.changes());
        journaled.sort(Comparator.comparing(c -> c.request().requestedAt()));
        List<Change> unfinished = new ArrayList<>();
        synchronized (this) {
            for (Change change : journaled) {
                if (change.isFinished()) {
                    remember(change);
                } else {
                    unfinished.add(change);
                }
            }
        }
        history.forEach(c -> listeners.forEach(l -> l.changeAccepted(c.id())));
        releaseLeakedGuards(unfinished);
        for (Change change : unfinished) {
            log.info("change {} found in state {} at start; resuming", change.id(), change.progress().state());
            launch(change, true);
        }
    }

    /**
     * A killed agent may leave guard rules behind for changes that ended meanwhile (or that it never journaled
     * as guarded): only the unfinished, guarded changes keep theirs.
     */
    private void releaseLeakedGuards(List<Change> unfinished) {
        if (!kernel.guard().available()) {
            log.warn("cannot check for leftover inbound guard rules: {}", kernel.guard().unavailableReason()
                    .orElse(""));
            return;
        }
        Set<InetAddress> keep = new java.util.HashSet<>();
        unfinished.stream().filter(c -> c.progress().steps().guardApplied()).forEach(c -> keep.add(c.request()
                .oldAddress().address()));
        Set<InetAddress> released = kernel.guard().releaseAllExcept(keep);
        if (!released.isEmpty()) {
            log.info("released inbound guard rules left by a previous run: {}", released);
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
        Request request = validate(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds, false);
        return accept(request, ChangeKind.REQUESTED, true, null);
    }

    /**
     * Like {@link #changeAddress}, but the targets are warned first ({@code renumber.change.warning}) and the change
     * starts when every target has called {@link #acknowledge} or when {@code warningSeconds} have passed.
     */
    public String scheduleChange(String interfaceName, String oldAddress, String newAddress, String targets,
                                 long drainTimeoutSeconds, long warningSeconds) {
        requireWarningSeconds(warningSeconds, "changeAddress");
        Request request = validate(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds, false);
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
        return accept(validateMigration(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds),
                ChangeKind.MIGRATION, false, null);
    }

    /**
     * A {@link #migrateSubscribers partial migration} whose targets are warned first, as in {@link #scheduleChange}:
     * it starts when every target has called {@link #acknowledge} or when {@code warningSeconds} have passed.
     */
    public String scheduleMigration(String interfaceName, String oldAddress, String newAddress, String targets,
                                    long drainTimeoutSeconds, long warningSeconds) {
        requireWarningSeconds(warningSeconds, "migrateSubscribers");
        return accept(validateMigration(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds),
                ChangeKind.MIGRATION, false, warningOf(warningSeconds));
    }

    Request validateMigration(String interfaceName, String oldAddress, String newAddress, String targets,
                                      long drainTimeoutSeconds) {
        if (targets == null || targets.isBlank()) {
            throw new IllegalArgumentException("targets is required for a migration: name the subscriber ids and "
                    + "group:NAME entries to move (the other applications stay on the old address)");
        }
        if (!kernel.owners().available()) {
            throw new IllegalStateException("this agent cannot tell which process owns a socket, so it cannot "
                    + "follow only the targets' connections; use changeAddress");
        }
        Request request = validate(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds, true);
        synchronized (this) {
            for (String id : subscribers.resolve(request.targets(), request.interfaceName(), request.old().address())) {
                long pid = subscribers.find(id).map(Subscription::pid).orElse(0L);
                if (pid == 0) {
                    throw new IllegalArgumentException("subscriber '" + id + "' has no process id recorded (its "
                            + "Subscription's Pid is 0), so its connections cannot be told from the other "
                            + "applications'; the client library records it at subscribe, or write the Pid attribute");
                }
            }
        }
        return request;
    }

    private static void requireWarningSeconds(long warningSeconds, String withoutWarning) {
        if (warningSeconds < 1 || warningSeconds > MAX_WARNING_SECONDS) {
            throw new IllegalArgumentException("warningSeconds " + warningSeconds + " is out of range: use 1 to "
                    + MAX_WARNING_SECONDS + " seconds (1 day); for no warning use " + withoutWarning);
        }
    }

    private ChangeWarning warningOf(long warningSeconds) {
        return new ChangeWarning(warningSeconds, clock.instant().plusSeconds(warningSeconds), List.of(), null);
    }

    /**
     * Records the process of a subscribed application as the application knows itself: its id in its own PID
     * namespace, and that namespace ({@code pid:[INODE]} from {@code /proc/self/ns/pid}; empty for the agent's).
     * The agent keeps the id it sees the process by, which partial migrations and holders need.
     *
     * @return the process id in the agent's PID namespace
     */
    public long recordProcess(String subscriberId, long pid, String pidNamespace) {
        String id = required(subscriberId, "subscriberId").strip();
        if (pid < 1) {
            throw new IllegalArgumentException("pid " + pid + " is not a process id: give the application's own "
                    + "(ProcessHandle.current().pid()); to clear the recorded one, write 0 to Pid");
        }
        String namespace = pidNamespace == null ? "" : pidNamespace.strip();
        if (!namespace.isEmpty() && !PID_NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("pidNamespace '" + namespace + "' is not what /proc/self/ns/pid "
                    + "reads (pid:[INODE], e.g. pid:[4026532710]); leave it empty for the agent's namespace");
        }
        if (subscribers.find(id).isEmpty()) {
            throw new IllegalArgumentException("no subscriber with id '" + id + "'");
        }
        long agentPid = kernel.owners().agentPid(pid, namespace);
        subscribers.recordPid(id, agentPid);
        if (agentPid != pid) {
            log.info("subscriber {}: process {} of {} is process {} here", id, pid, namespace, agentPid);
        }
        return agentPid;
    }

    /**
     * A target of a scheduled change is ready for it ({@code ready(changeId)} on its Subscription MBean). When every
     * target is, the change starts without waiting for the rest of its warning time. Saying it twice is harmless.
     */
    public void acknowledge(String changeId, String subscriberId) {
        String id = required(changeId, "changeId").strip();
        ChangeWorkflow workflow;
        synchronized (this) {
            workflow = active.get(id);
            if (workflow == null) {
                Change known = change(id).orElseThrow(() -> unknownChange(id));
                throw new IllegalStateException("change " + id + " has already ended as " + known.progress().state()
                        + "; there is nothing to be ready for");
            }
        }
        workflow.acknowledge(required(subscriberId, "subscriberId").strip());
    }

    /**
     * The processes holding sockets on {@code address}, one line each: {@code PID COMMAND: n connection(s)[, m
     * listener(s)]}. One socket-table lookup for the address, then the owners of only the sockets it matched.
     */
    public List<String> holders(InetAddress address) {
        List<SocketEntry> sockets = tracker.sockets(requireNonNull(address, "address")).stream()
                .filter(s -> s.inode() != 0).toList();
        if (sockets.isEmpty()) {
            return List.of();
        }
        Set<Long> inodes = new java.util.HashSet<>();
        sockets.forEach(s -> inodes.add(s.inode()));
        return kernel.owners().holders(inodes).stream().map(h -> describe(h, sockets)).toList();
    }

    private static String describe(SocketHolder holder, List<SocketEntry> sockets) {
        long connections = sockets.stream().filter(s -> holder.inodes().contains(s.inode()))
                .filter(SocketEntry::isLiveConnection).count();
        long listeners = sockets.stream().filter(s -> holder.inodes().contains(s.inode()))
                .filter(SocketEntry::isListener).count();
        String command = holder.command().length() > 120 ? holder.command().substring(0, 117) + "..."
                : holder.command();
        return holder.pid() + " " + (command.isEmpty() ? "?" : command) + ": " + connections + " connection"
                + (connections == 1 ? "" : "s") + (listeners == 0 ? "" : ", " + listeners + " listener"
                + (listeners == 1 ? "" : "s"));
    }

    /** A change request that passed validation; nothing has been touched yet. */
    record Request(String interfaceName, InterfaceAddress old, InterfaceAddress fresh, Targets targets,
                           String targetsText, long drainTimeoutSeconds) {
    }

    /**
     * The checks every operator-requested change passes before anything is touched.
     *
     * @param newMayBeOnInterface a migration may reuse a new address already on the same interface (an earlier
     *                            migration added it); elsewhere it is always refused
     */
    Request validate(String interfaceName, String oldAddress, String newAddress, String targets,
                             long drainTimeoutSeconds, boolean newMayBeOnInterface) {
        String ifName = required(interfaceName, "interfaceName").strip();
        String oldText = required(oldAddress, "oldAddress").strip();
        String newText = required(newAddress, "newAddress").strip();
        Targets parsedTargets = Targets.parse(targets);
        if (drainTimeoutSeconds < 0 || drainTimeoutSeconds > MAX_DRAIN_SECONDS) {
            throw new IllegalArgumentException("drainTimeoutSeconds " + drainTimeoutSeconds
                    + " is out of range: use 0 to " + MAX_DRAIN_SECONDS + " seconds (7 days)");
        }
        List<NetInterface> interfaces = network.interfaces();
        NetInterface nic = AddressRules.requireInterface(interfaces, ifName);
        refuseIfBusy(ifName);
        InterfaceAddress old = AddressRules.resolveOld(nic, oldText);
        InterfaceAddress fresh = AddressRules.parseNew(newText, old);
        refuseReserved(fresh);
        AddressRules.refuseNewInUse(interfaces, ifName, fresh, newText, newMayBeOnInterface);
        return new Request(ifName, old, fresh, parsedTargets, targets == null ? "" : targets.strip(),
                drainTimeoutSeconds);
    }

    private String accept(Request request, ChangeKind kind, boolean removeOldAddress, ChangeWarning warning) {
        synchronized (this) {
            refuseIfBusy(request.interfaceName());
            refuseReserved(request.fresh());
            Set<String> recipients = subscribers.resolve(request.targets(), request.interfaceName(),
                    request.old().address());
            Change change = Change.accepted(ChangeRequest.builder().id(newId())
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
        requireNonNull(oldAddress, "oldAddress");
        requireNonNull(newAddress, "newAddress");
        if (drainTimeoutSeconds < 0 || drainTimeoutSeconds > MAX_DRAIN_SECONDS) {
            throw new IllegalArgumentException("drainTimeoutSeconds " + drainTimeoutSeconds + " is out of range 0-"
                    + MAX_DRAIN_SECONDS);
        }
        NetInterface nic = network.interfaces().stream().filter(i -> i.name().equals(interfaceName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown interface '" + interfaceName + "'"));
        for (InterfaceAddress a : List.of(oldAddress, newAddress)) {
            if (!nic.addresses().contains(a)) {
                throw new IllegalArgumentException(a + " is not configured on " + interfaceName);
            }
        }
        synchronized (this) {
            refuseIfBusy(interfaceName);
            Set<String> recipients = subscribers.resolve(Targets.parse(""), interfaceName, oldAddress.address());
            Change change = Change.accepted(ChangeRequest.builder().id(newId())
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

    private synchronized void refuseReserved(InterfaceAddress fresh) {
        Reservations.refuseClaimed(active.values().stream().map(ChangeWorkflow::change).toList(), fresh);
    }

    private synchronized void refuseIfBusy(String ifName) {
        Optional<ChangeWorkflow> running = active.values().stream()
                .filter(w -> w.change().request().interfaceName().equals(ifName)).findFirst();
        if (running.isPresent()) {
            throw new IllegalStateException("change " + running.get().change().id() + " is already running on "
                    + ifName + " (state " + running.get().change().progress().state()
                    + "); wait for it with awaitChange or cancel it first");
        }
    }

    /** Blocks until the change ends or the timeout passes; returns its state then. */
    public ChangeState awaitChange(String changeId, long timeoutSeconds) throws InterruptedException {
        if (timeoutSeconds < 0 || timeoutSeconds > MAX_AWAIT_SECONDS) {
            throw new IllegalArgumentException("timeoutSeconds " + timeoutSeconds + " is out of range 0-"
                    + MAX_AWAIT_SECONDS);
        }
        ChangeWorkflow workflow;
        synchronized (this) {
            workflow = active.get(required(changeId, "changeId").strip());
            if (workflow == null) {
                return change(changeId).map(c -> c.progress().state()).orElseThrow(() -> unknownChange(changeId));
            }
        }
        try {
            return workflow.done().get(timeoutSeconds, TimeUnit.SECONDS).progress().state();
        } catch (TimeoutException e) {
            return workflow.change().progress().state();
        } catch (ExecutionException e) {
            throw new IllegalStateException("change " + changeId + " ended abnormally", e.getCause());
        }
    }

    /** Rolls a change back (new address removed, old untouched) if it has not started removing the old one. */
    public void cancelChange(String changeId) throws InterruptedException {
        ChangeWorkflow workflow;
        synchronized (this) {
            workflow = active.get(required(changeId, "changeId").strip());
            if (workflow == null) {
                Change known = change(changeId).orElseThrow(() -> unknownChange(changeId));
                throw new IllegalStateException("change " + changeId + " has already ended as "
                        + known.progress().state());
            }
        }
        workflow.requestCancel();
        try {
            workflow.done().get(CANCEL_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("change " + changeId + " did not finish cancelling within "
                    + CANCEL_WAIT.toSeconds() + " s; it is " + workflow.change().progress().state());
        } catch (ExecutionException e) {
            throw new IllegalStateException("change " + changeId + " ended abnormally", e.getCause());
        }
    }

    public synchronized Optional<Change> change(String changeId) {
        ChangeWorkflow workflow = active.get(changeId);
        if (workflow != null) {
            return Optional.of(workflow.change());
        }
        return history.stream().filter(c -> c.id().equals(changeId)).findFirst();
    }

    @Override
    public synchronized List<Change> activeChanges() {
        return active.values().stream().map(ChangeWorkflow::change).toList();
    }

    /** Finished changes, most recent first. */
    @Override
    public synchronized List<Change> recentChanges() {
        List<Change> list = new ArrayList<>(history);
        java.util.Collections.reverse(list);
        return list;
    }

    /** Number of live connections still using the old address of an active change. */
    public int connectionsOn(InetAddress address) {
        return tracker.countConnections(address);
    }

    private void launch(Change change, boolean resumed) {
        ChangeWorkflow workflow = new ChangeWorkflow(change, resumed, context,
                this::publish, this::retire);
        synchronized (this) {
            active.put(change.id(), workflow);
        }
        listeners.forEach(l -> l.changeAccepted(change.id()));
        workers.execute(workflow);
    }

    private void retire(Change finished) {
        List<String> evicted;
        synchronized (this) {
            active.remove(finished.id());
            evicted = remember(finished);
        }
        evicted.forEach(id -> listeners.forEach(l -> l.changeEvicted(id)));
    }

    private List<String> remember(Change finished) {
        history.addLast(finished);
        List<String> evicted = new ArrayList<>();
        while (history.size() > HISTORY_SIZE) {
            evicted.add(history.removeFirst().id());
        }
        return evicted;
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

    private synchronized String newId() {
        String id;
        do {
            id = "chg-" + HexFormat.of().formatHex(randomBytes());
        } while (change(id).isPresent());
        return id;
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[4];
        random.nextBytes(bytes);
        return bytes;
    }

    private static IllegalArgumentException unknownChange(String changeId) {
        return new IllegalArgumentException("unknown change id '" + changeId + "'");
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
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
