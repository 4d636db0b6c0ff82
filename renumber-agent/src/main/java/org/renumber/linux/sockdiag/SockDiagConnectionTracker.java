package org.renumber.linux.sockdiag;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.renumber.domain.NetworkException;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.linux.IpText;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.sockdiag.WatchedAddress.CountWatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ConnectionTracker} over sock_diag (NETLINK_SOCK_DIAG) in one network namespace.
 *
 * <h2>Listing: one walk of the kernel's table</h2>
 * {@link #sockets} walks the kernel's TCP table once with a filter on the local address ({@link TcpSocketTable}
 * tells why one walk finds IPv4 and IPv4-mapped sockets alike, and what the walk costs).
 *
 * <h2>Watching: counted from events, not from walks</h2>
 * {@link #watch} keeps, per watched address, the live connections ({@link SocketEntry#isLiveConnection()}:
 * owned by a process and in a connection state) that the last walk found, keyed by their socket cookie. The
 * kernel's TCP socket-destroy multicast groups ({@link DestroyEvents}) carry the cookie of every TCP socket it
 * frees in the namespace; one reader thread queues those on a watched address, and the tracker thread takes each
 * cookie out of its set and reports the new size: no walk. A full walk happens only when a watch starts, when events were lost
 * (ENOBUFS), and on the slow safety timer.
 * <p>Walks run on their own thread, so a walk in progress (28 ms at 100,000 sockets) never holds back the events
 * of a drain that is about to end. The race between a walk and the events: the groups are joined (and the
 * address registered for the reader) before the walk is sent, and everything about the sets runs on the single
 * tracker thread, which keeps applying events while the walker walks. A socket is freed, and its event sent,
 * only after it left the hash table; so an event the tracker takes before the walk starts is about a socket the
 * walk cannot see. An event it takes while the walk is in flight may be about a socket the walk saw: the tracker
 * keeps those cookies (and those of the orphans its lookups drop meanwhile) until the walk is applied and leaves
 * them out of its result ({@link WalkCycle}). Events still queued when the walk is applied are applied right
 * after it, before the count is reported, so the first count already reflects them. Cookies are never reused, so an event whose cookie is not in the set (a socket freed before the walk, an
 * orphan, another port) is simply ignored.
 * <p>What a destroy event cannot tell (orphans, new connections since the last walk) and how the counts cope:
 * {@link WatchedAddress}.
 * <p>Why the safety walk stays slow: each one costs a full table walk per watched address, about 2.3 ms at
 * 10,000 and 28 ms at 100,000 sockets on the host. Every 2 s that is 1.4% of a CPU at 100,000 sockets while a
 * drain runs; every 200 ms it would be 14%. Since orphans in small sets (the ones that decide when a count
 * reaches 0) are found by the cheap lookups, the walk is left with new connections and large sets, where seconds
 * are fine.
 *
 * <p>Without CAP_NET_ADMIN the destroy groups cannot be joined; counts then follow the timers only.
 */
public final class SockDiagConnectionTracker implements ConnectionTracker, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SockDiagConnectionTracker.class);

    /** How often every watched address is counted again with a full walk. */
    public static final Duration DEFAULT_SAFETY_INTERVAL = Duration.ofSeconds(2);
    /** How often the sockets of small watched sets are looked up one by one to drop orphans. */
    public static final Duration DEFAULT_ORPHAN_CHECK_INTERVAL = Duration.ofMillis(250);
    /** Largest set whose sockets are looked up one by one (a lookup is one netlink round trip, ~10-20 µs). */
    static final int LOOKUP_LIMIT = 32;

    private final LinuxNetns netns;
    private final Duration safetyInterval;
    private final Duration orphanCheckInterval;
    /** Walks from the walker thread and from callers of {@link #sockets}; lookups from the tracker thread. */
    private final TcpSocketTable table;
    private final ScheduledExecutorService tracker;
    /** Runs the walks of watched addresses, so that events keep being applied while the kernel walks its table. */
    private final WalkCycle walks;
    /** First counts that a {@link #watch} call waits for; closing answers them. */
    private final Set<CompletableFuture<Void>> firstCounts = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, WatchedAddress> watched = new ConcurrentHashMap<>();
    /** Destroy events on watched addresses, from the reader thread to the tracker thread. */
    private final DestroyedQueue destroyed = new DestroyedQueue(watched, () -> submit(this::onDestroyed),
            this::scheduleRecountAll);
    private final AtomicBoolean recountAllScheduled = new AtomicBoolean();
    private final Object lifecycle = new Object();
    private DestroyEvents reader;
    private ScheduledFuture<?> safetyTimer;
    private ScheduledFuture<?> orphanTimer;
    private volatile Thread trackerThread;
    private volatile boolean closed;

    public SockDiagConnectionTracker(LinuxNetns netns) {
        this(netns, DEFAULT_SAFETY_INTERVAL);
    }

    /** @param safetyInterval how often watched addresses are counted again with a full walk */
    public SockDiagConnectionTracker(LinuxNetns netns, Duration safetyInterval) {
        this(netns, safetyInterval, min(DEFAULT_ORPHAN_CHECK_INTERVAL, safetyInterval));
    }

    /**
     * @param safetyInterval      how often watched addresses are counted again with a full walk
     * @param orphanCheckInterval how often the sockets of small watched sets are looked up one by one (no walk);
     *                            at least as long as {@code safetyInterval} turns this check off
     */
    public SockDiagConnectionTracker(LinuxNetns netns, Duration safetyInterval, Duration orphanCheckInterval) {
        this.netns = Objects.requireNonNull(netns, "netns");
        this.safetyInterval = requirePositive(safetyInterval, "safety interval");
        this.orphanCheckInterval = requirePositive(orphanCheckInterval, "orphan check interval");
        String suffix = netns.name() == null ? "self" : netns.name();
        this.table = new TcpSocketTable(netns);
        this.walks = new WalkCycle(netns, table, this.safetyInterval, this::submit, this::walked);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "renumber-tracker-" + suffix);
            thread.setDaemon(true);
            trackerThread = thread;
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.tracker = executor;
    }

    @Override
    public List<SocketEntry> sockets(InetAddress address) {
        Objects.requireNonNull(address, "address");
        List<SocketEntry> result = new ArrayList<>();
        for (DiagSocket socket : table.walk(address)) {
            result.add(socket.entry());
        }
        return result;
    }

    @Override
    public int countConnections(InetAddress address) {
        Objects.requireNonNull(address, "address");
        return (int) table.walk(address).stream().filter(DiagSocket::isLiveConnection).count();
    }

    @Override
    public Watch watch(InetAddress address, IntConsumer onCount) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(onCount, "onCount");
        CountWatch watch = new CountWatch(address, onCount, this::removeWatch);
        WatchedAddress target;
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("connection tracker for " + netns.describe() + " is closed");
            }
            if (safetyTimer == null) {
                startLocked();
            }
            // Registered (and the groups joined, above) before the walk is even queued: see the class comment.
            target = watched.computeIfAbsent(address, WatchedAddress::new);
            target.watchers.add(watch);
        }
        // The first count is delivered before watch() returns, from the tracker thread like all later ones.
        CompletableFuture<Void> first = new CompletableFuture<>();
        firstCounts.add(first);
        first.whenComplete((done, failure) -> firstCounts.remove(first));
        if (!submit(() -> walks.request(target, first))) {
            first.cancel(false);
        }
        if (Thread.currentThread() != trackerThread) { // a listener opening a watch must not wait for itself
            try {
                first.get();
            } catch (CancellationException e) {
                throw new IllegalStateException("connection tracker for " + netns.describe() + " closed", e);
            } catch (ExecutionException e) {
                watch.close();
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                watch.close();
                throw new IllegalStateException("interrupted while counting connections on " + IpText.of(address), e);
            }
        }
        return watch;
    }

    /** Stops the event reader and the tracker thread and closes the sockets; open watches stop reporting. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            watched.clear();
            stopEventsLocked();
        }
        tracker.shutdownNow();
        walks.shutdownNow();
        for (CompletableFuture<Void> first : List.copyOf(firstCounts)) {
            first.cancel(false); // a watch() waiting for its first count gets an answer
        }
        try {
            tracker.awaitTermination(5, TimeUnit.SECONDS);
            walks.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        table.close();
    }

    @Override
    public String toString() {
        return "sock_diag in " + netns.describe();
    }

    // ------------------------------------------------------------------ on the tracker thread

    /** After a walk of {@code target} was applied: the events queued meanwhile go too, then the counts. */
    private void walked(WatchedAddress target) {
        for (WatchedAddress other : destroyed.apply()) {
            if (other != target) {
                dropOrphans(other);
                other.deliver();
            }
        }
        target.deliver();
    }

    /** From the event reader's thread when events were lost: one re-count of every watched address. */
    private void scheduleRecountAll() {
        if (recountAllScheduled.compareAndSet(false, true)) {
            submit(this::recountAll);
        }
    }

    private void recountAll() {
        recountAllScheduled.set(false);
        for (WatchedAddress target : watched.values()) {
            walks.request(target, null);
        }
    }

    /** Queued destroy events: out of their sets, orphans looked up in the sets that became small, counts reported. */
    private void onDestroyed() {
        destroyed.rearm();
        for (WatchedAddress target : destroyed.apply()) {
            dropOrphans(target);
            target.deliver();
        }
    }

    /** Looks the sockets of a small set up one by one and drops the ones that no longer count. */
    private void dropOrphans(WatchedAddress target) {
        target.dropOrphans(table::stillLive, LOOKUP_LIMIT);
    }

    private void checkOrphansAll() {
        for (WatchedAddress target : watched.values()) {
            try {
                dropOrphans(target);
                target.deliver();
            } catch (RuntimeException e) {
                log.warn("looking up the connections on {} in {} failed: {}", IpText.of(target.address),
                        netns.describe(), e.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------ lifecycle

    private void startLocked() {
        try {
            // Joins the destroy groups before any walk of a watch.
            reader = new DestroyEvents(netns, destroyed, safetyInterval);
        } catch (NetworkException e) {
            // Joining the destroy groups needs CAP_NET_ADMIN in the namespace's user namespace.
            log.warn("no TCP destroy events in {} ({}); counts follow the {} ms safety timer and the {} ms orphan "
                    + "check only", netns.describe(), e.getMessage(), safetyInterval.toMillis(),
                    orphanCheckInterval.toMillis());
        }
        safetyTimer = tracker.scheduleWithFixedDelay(this::recountAll, safetyInterval.toMillis(),
                safetyInterval.toMillis(), TimeUnit.MILLISECONDS);
        if (orphanCheckInterval.compareTo(safetyInterval) < 0) {
            orphanTimer = tracker.scheduleWithFixedDelay(this::checkOrphansAll, orphanCheckInterval.toMillis(),
                    orphanCheckInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Runs {@code task} on the tracker thread; false when the tracker is closing. */
    private boolean submit(Runnable task) {
        try {
            tracker.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false; // closing: nothing left to tell
        }
    }

    private void removeWatch(CountWatch watch) {
        synchronized (lifecycle) {
            WatchedAddress target = watched.get(watch.address);
            if (target != null) {
                target.watchers.remove(watch);
                if (target.watchers.isEmpty()) {
                    watched.remove(watch.address, target);
                }
            }
            if (watched.isEmpty()) {
                stopEventsLocked();
            }
        }
    }

    private void stopEventsLocked() {
        if (safetyTimer != null) {
            safetyTimer.cancel(false);
            safetyTimer = null;
        }
        if (orphanTimer != null) {
            orphanTimer.cancel(false);
            orphanTimer = null;
        }
        if (reader != null) {
            reader.stop();
            reader = null;
        }
    }

    // ------------------------------------------------------------------ for tests

    /** Table walks (dump requests) sent so far, by listing, counting and watching. */
    long walks() {
        return table.walks();
    }

    /** Sockets looked up by their exact id so far. */
    long lookups() {
        return table.lookups();
    }

    /** Destroy events on watched addresses the reader has handed to the tracker thread so far. */
    long eventsQueued() {
        return destroyed.queued();
    }

    /** Runs {@code hook} on the walker thread after each walk of a watch and before the tracker applies it. */
    void afterWalk(Consumer<InetAddress> hook) {
        walks.afterWalk(hook);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration requirePositive(Duration interval, String what) {
        Objects.requireNonNull(interval, what);
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + interval);
        }
        return interval;
    }
}
