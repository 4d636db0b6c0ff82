package org.renumber.linux.sockdiag;

import static org.renumber.linux.netlink.NetlinkConstants.INET_DIAG_REQ_BYTECODE;
import static org.renumber.linux.netlink.NetlinkConstants.IPPROTO_TCP;
import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_SOCK_DIAG;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_DUMP;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.netlink.NetlinkConstants.SKNLGRP_INET6_TCP_DESTROY;
import static org.renumber.linux.netlink.NetlinkConstants.SKNLGRP_INET_TCP_DESTROY;
import static org.renumber.linux.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;
import static org.renumber.linux.netlink.NetlinkConstants.TCPDIAG_GETSOCK;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.renumber.domain.NetworkException;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.linux.Errno;
import org.renumber.linux.IpText;
import org.renumber.linux.LibC;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.netlink.EventFd;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.NetlinkSocket;
import org.renumber.linux.netlink.StructNlAttr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ConnectionTracker} over sock_diag (NETLINK_SOCK_DIAG) in one network namespace.
 *
 * <h2>Listing: one walk of the kernel's table</h2>
 * {@link #sockets} dumps the TCP sockets with an inet_diag filter on the local address, so the kernel copies only
 * matching sockets; it still walks its whole TCP hash table (all namespaces of the host, about 0.25 µs a
 * socket), and that walk is the cost. An IPv4 address must find AF_INET sockets and the IPv4-mapped sockets of
 * dual-stack AF_INET6 sockets (what Java opens by default): the kernel matches {@code ::ffff:a.b.c.d} against
 * an AF_INET condition, but a SOCK_DIAG_BY_FAMILY dump is for one family, so that took two walks. The legacy
 * request {@code TCPDIAG_GETSOCK} ({@link StructInetDiagReq}) runs the same dump with the family set to
 * AF_UNSPEC ({@code inet_diag_dump_compat} in {@code net/ipv4/inet_diag.c}): the walk skips no family, the
 * filter sorts them out, and one walk finds both. The kernel keeps it for old tools (ss used it before
 * SOCK_DIAG_BY_FAMILY existed); verified here on 6.18 (half the walk time at 10,000 and 100,000 sockets). If a
 * kernel refuses it (EOPNOTSUPP, EINVAL or ENOENT), the tracker falls back to the two dumps for good. An IPv6
 * address needs the AF_INET6 dump only. TIME_WAIT and NEW_SYN_RECV entries are left out.
 *
 * <h2>Watching: counted from events, not from walks</h2>
 * {@link #watch} keeps, per watched address, the live connections ({@link SocketEntry#isLiveConnection()}:
 * owned by a process and in a connection state) that the last walk found, keyed by their socket cookie. The
 * kernel's TCP socket-destroy multicast groups carry the cookie of every TCP socket it frees in the namespace;
 * one reader thread queues those on a watched address, and the tracker thread takes each cookie out of its set
 * and reports the new size: no walk. A full walk happens only when a watch starts, when events were lost
 * (ENOBUFS), and on the slow safety timer.
 * <p>Walks run on their own thread, so a walk in progress (28 ms at 100,000 sockets) never holds back the events
 * of a drain that is about to end. The race between a walk and the events: the groups are joined (and the
 * address registered for the reader) before the walk is sent, and everything about the sets runs on the single
 * tracker thread, which keeps applying events while the walker walks. A socket is freed, and its event sent,
 * only after it left the hash table; so an event the tracker takes before the walk starts is about a socket the
 * walk cannot see. An event it takes while the walk is in flight may be about a socket the walk saw: the tracker
 * keeps those cookies (and those of the orphans its lookups drop meanwhile) until the walk is applied and leaves
 * them out of its result. Events still queued when the
 * walk is applied are applied right after it, before the count is reported, so the first count already reflects
 * them. Cookies are never reused, so an event whose cookie is not in the set (a socket freed before the walk, an
 * orphan, another port) is simply ignored.
 * <p>What a destroy event cannot tell:
 * <ul>
 *   <li><b>Orphans.</b> A socket its application closed is orphaned at once (inode 0). It still counts while the
 *       peer has not acknowledged its FIN (FIN_WAIT1, CLOSING, LAST_ACK: {@link SocketEntry#isLiveConnection()},
 *       docs/architecture.md "Drain"), and no longer once it has (FIN_WAIT2, TIME_WAIT). The acknowledgement
 *       comes with an event: the kernel frees a LAST_ACK socket, and swaps a FIN_WAIT1 or CLOSING one for a small
 *       FIN_WAIT2/TIME_WAIT entry and frees it (seen on 6.18). An orphan that owes the peer nothing may stay
 *       without an event (FIN_WAIT2 when {@code tcp_fin_timeout} exceeds 60 s), and a socket the walk saw owned
 *       may have been closed since. So whenever events shrank a set to at most {@value #LOOKUP_LIMIT}
 *       sockets, and every orphan-check interval (default {@link #DEFAULT_ORPHAN_CHECK_INTERVAL}), the tracker
 *       looks each remaining socket up by its exact id (SOCK_DIAG_BY_FAMILY without NLM_F_DUMP: a hash lookup
 *       with a cookie check, no walk) and drops the ones that are gone or no longer hold the address.
 *       A larger set is corrected by the safety walk only, which is fine while it is far from 0. The count
 *       therefore errs high, never low, for the sockets the last walk saw.</li>
 *   <li><b>New connections</b> on the address after the last walk: sock_diag has no creation event. The safety
 *       walk (default every {@link #DEFAULT_SAFETY_INTERVAL}) finds them. Until then the count can be too low,
 *       and it can reach 0 from events while such a connection exists. The drain workflow makes this rare: by
 *       the time it watches, new outbound connections use the new address, and inbound ones can be refused.</li>
 * </ul>
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
    /** Kernel buffer for destroy events: every TCP socket of the namespace produces one. */
    private static final int EVENT_RECEIVE_BUFFER = 4 * 1024 * 1024;
    /** All TCP states (bits 1..11) but TIME_WAIT; NEW_SYN_RECV (bit 12, half-open requests) left out too. */
    static final int STATES = 0xffe & ~(1 << TcpState.TIME_WAIT.kernelValue());

    private final LinuxNetns netns;
    private final Duration safetyInterval;
    private final Duration orphanCheckInterval;
    /** Walks, from the walker thread and from callers of {@link #sockets}; transactions are serialised. */
    private final NetlinkSocket walkSocket;
    /** Lookups by socket id, from the tracker thread only, so that they never wait behind a walk. */
    private final NetlinkSocket lookupSocket;
    private final ScheduledExecutorService tracker;
    /** Runs the walks of watched addresses, so that events keep being applied while the kernel walks its table. */
    private final ExecutorService walker;
    /** First counts that a {@link #watch} call waits for; closing answers them. */
    private final Set<CompletableFuture<Void>> firstCounts = ConcurrentHashMap.newKeySet();
    private final String lookupOperation;
    private final Map<InetAddress, Watched> watched = new ConcurrentHashMap<>();
    /** Destroy events on watched addresses, from the reader thread to the tracker thread. */
    private final Queue<Destroyed> destroyed = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean destroyedScheduled = new AtomicBoolean();
    private final AtomicBoolean recountAllScheduled = new AtomicBoolean();
    private final AtomicLong walks = new AtomicLong();
    private final AtomicLong lookups = new AtomicLong();
    private final AtomicLong eventsQueued = new AtomicLong();
    private final Object lifecycle = new Object();
    /** False once the kernel refused the one-walk legacy dump; then IPv4 takes two dumps. */
    private volatile boolean singleWalk = true;
    /** Tests only: runs on the walker thread between a watch's walk and applying it. */
    private volatile Consumer<InetAddress> afterWalk;
    private EventReader reader;
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
        this.lookupOperation = "look up a TCP socket by its id in " + netns.describe();
        String suffix = netns.name() == null ? "self" : netns.name();
        this.walkSocket = NetlinkSocket.openIn(netns, NETLINK_SOCK_DIAG);
        try {
            this.lookupSocket = NetlinkSocket.openIn(netns, NETLINK_SOCK_DIAG);
        } catch (RuntimeException e) {
            walkSocket.close();
            throw e;
        }
        this.walker = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "renumber-tracker-walks-" + suffix);
            thread.setDaemon(true);
            return thread;
        });
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
        for (DiagSocket socket : walk(address)) {
            result.add(socket.entry());
        }
        return result;
    }

    @Override
    public int countConnections(InetAddress address) {
        Objects.requireNonNull(address, "address");
        return (int) walk(address).stream().filter(DiagSocket::isLiveConnection).count();
    }

    @Override
    public Watch watch(InetAddress address, IntConsumer onCount) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(onCount, "onCount");
        WatchImpl watch = new WatchImpl(address, onCount);
        Watched target;
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("connection tracker for " + netns.describe() + " is closed");
            }
            if (safetyTimer == null) {
                startLocked();
            }
            // Registered (and the groups joined, above) before the walk is even queued: see the class comment.
            target = watched.computeIfAbsent(address, Watched::new);
            target.watchers.add(watch);
        }
        // The first count is delivered before watch() returns, from the tracker thread like all later ones.
        CompletableFuture<Void> first = new CompletableFuture<>();
        firstCounts.add(first);
        first.whenComplete((done, failure) -> firstCounts.remove(first));
        if (!submit(() -> requestWalk(target, first))) {
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
        walker.shutdownNow();
        for (CompletableFuture<Void> first : List.copyOf(firstCounts)) {
            first.cancel(false); // a watch() waiting for its first count gets an answer
        }
        try {
            tracker.awaitTermination(5, TimeUnit.SECONDS);
            walker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        walkSocket.close();
        lookupSocket.close();
    }

    @Override
    public String toString() {
        return "sock_diag in " + netns.describe();
    }

    // ------------------------------------------------------------------ walks and lookups

    /** The TCP sockets on {@code address}: one walk of the kernel's table (two for IPv4 without the legacy dump). */
    private List<DiagSocket> walk(InetAddress address) {
        String what = " TCP sockets on " + IpText.of(address) + " in " + netns.describe();
        if (!(address instanceof Inet4Address)) {
            walks.incrementAndGet();
            return walkSocket.transact("list IPv6" + what, dumpRequest(LibC.AF_INET6, STATES, address),
                    DiagSocket::parse);
        }
        if (singleWalk) {
            try {
                walks.incrementAndGet();
                return walkSocket.transact("list IPv4 and IPv4-mapped" + what, singleWalkRequest(STATES, address),
                        DiagSocket::parse);
            } catch (NetworkException e) {
                if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
                    throw e;
                }
                singleWalk = false;
                log.info("the kernel refuses the legacy TCPDIAG_GETSOCK dump in {} ({}); listing IPv4 sockets takes "
                        + "two walks of its table from now on", netns.describe(), e.getMessage());
            }
        }
        walks.addAndGet(2);
        List<DiagSocket> result = new ArrayList<>(
                walkSocket.transact("list IPv4" + what, dumpRequest(LibC.AF_INET, STATES, address), DiagSocket::parse));
        result.addAll(walkSocket.transact("list IPv4-mapped" + what, dumpRequest(LibC.AF_INET6, STATES, address),
                DiagSocket::parse));
        return result;
    }

    /** SOCK_DIAG_BY_FAMILY dump of TCP sockets of {@code family} in {@code states} whose local address is {@code address}. */
    static NetlinkRequest dumpRequest(int family, int states, InetAddress address) {
        NetlinkRequest request = new NetlinkRequest(SOCK_DIAG_BY_FAMILY, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructInetDiagReqV2(family, IPPROTO_TCP, 0, states, StructInetDiagSockId.any()).pack(request.buffer());
        StructNlAttr.putBytes(request.buffer(), INET_DIAG_REQ_BYTECODE, InetDiagBytecode.localAddressIs(address));
        return request;
    }

    /**
     * TCPDIAG_GETSOCK dump of TCP sockets of every family in {@code states} whose local address is
     * {@code address}: one walk of the kernel's table (the answers carry type TCPDIAG_GETSOCK).
     */
    static NetlinkRequest singleWalkRequest(int states, InetAddress address) {
        NetlinkRequest request = new NetlinkRequest(TCPDIAG_GETSOCK, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructInetDiagReq(0, 0, 0, 0, StructInetDiagSockId.any(), states, 0).pack(request.buffer());
        StructNlAttr.putBytes(request.buffer(), INET_DIAG_REQ_BYTECODE, InetDiagBytecode.localAddressIs(address));
        return request;
    }

    /**
     * SOCK_DIAG_BY_FAMILY request (no dump) for exactly this socket: the kernel looks the 4-tuple up in its hash
     * table and answers with the socket, or with ENOENT when it is gone or the cookie belongs to another socket.
     */
    static NetlinkRequest lookupRequest(int family, StructInetDiagSockId id) {
        NetlinkRequest request = new NetlinkRequest(SOCK_DIAG_BY_FAMILY, (short) (NLM_F_REQUEST | NLM_F_ACK));
        new StructInetDiagReqV2(family, IPPROTO_TCP, 0, STATES, id).pack(request.buffer());
        return request;
    }

    static SocketEntry entry(NetlinkMessage message) {
        DiagSocket socket = DiagSocket.parse(message);
        return socket == null ? null : socket.entry();
    }

    /** Whether {@code socket} is still a live connection: gone, orphaned or out of a connection state is not. */
    private boolean stillLive(DiagSocket socket) {
        lookups.incrementAndGet();
        try {
            return lookupSocket.transact(lookupOperation, lookupRequest(socket.family(), socket.id()), DiagSocket::parse)
                    .stream().anyMatch(now -> now.cookie() == socket.cookie() && now.isLiveConnection());
        } catch (NetworkException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ESTALE) {
                return false; // freed (or its 4-tuple now belongs to another socket: the cookie differs)
            }
            log.debug("{}: {}; still counting {}", lookupOperation, e.getMessage(), socket.entry().describe());
            return true;
        }
    }

    // ------------------------------------------------------------------ on the tracker thread

    /**
     * Asks for a walk of {@code target}; {@code waiter} (if any) completes once a walk that started after this
     * request has been applied. A walk already in flight may have started before the request (before events were
     * lost, say), so the request makes another one follow it.
     */
    private void requestWalk(Watched target, CompletableFuture<Void> waiter) {
        if (waiter != null) {
            target.waitingForWalk.add(waiter);
        }
        if (target.goneDuringWalk != null) {
            target.walkAgain = true;
        } else {
            startWalk(target);
        }
    }

    /**
     * Sends {@code target}'s walk to the walker thread. From here until the walk is applied, the cookies of the
     * destroy events the tracker applies are kept: the walk may have seen those sockets before they were freed,
     * and must not bring them back.
     */
    private void startWalk(Watched target) {
        List<CompletableFuture<Void>> waiters = List.copyOf(target.waitingForWalk);
        target.waitingForWalk.clear();
        if (target.watchers.isEmpty()) {
            waiters.forEach(waiter -> waiter.complete(null)); // closed before its turn
            return;
        }
        target.goneDuringWalk = new HashSet<>();
        try {
            walker.execute(() -> {
                List<DiagSocket> found;
                try {
                    found = walk(target.address);
                    Consumer<InetAddress> hook = afterWalk;
                    if (hook != null) {
                        hook.accept(target.address);
                    }
                } catch (RuntimeException e) {
                    submit(() -> walkFailed(target, waiters, e));
                    return;
                }
                submit(() -> applyWalk(target, found, waiters));
            });
        } catch (RejectedExecutionException e) {
            // closing: close() answers the waiters
        }
    }

    /** Replaces {@code target}'s set with what its walk found, less what was freed meanwhile, and reports. */
    private void applyWalk(Watched target, List<DiagSocket> found, List<CompletableFuture<Void>> waiters) {
        Set<Long> freed = target.goneDuringWalk;
        target.goneDuringWalk = null;
        target.live.clear();
        for (DiagSocket socket : found) {
            if (socket.isLiveConnection() && !freed.contains(socket.cookie())) {
                target.live.put(socket.cookie(), socket);
            }
        }
        target.counted = true;
        for (Watched other : applyDestroyed()) {
            if (other != target) {
                dropOrphans(other);
                other.deliver();
            }
        }
        target.deliver();
        waiters.forEach(waiter -> waiter.complete(null));
        walkAgainIfAsked(target);
    }

    private void walkFailed(Watched target, List<CompletableFuture<Void>> waiters, RuntimeException failure) {
        target.goneDuringWalk = null;
        if (waiters.isEmpty()) {
            log.warn("re-counting connections on {} in {} failed (trying again in {} ms): {}",
                    IpText.of(target.address), netns.describe(), safetyInterval.toMillis(), failure.getMessage());
        }
        waiters.forEach(waiter -> waiter.completeExceptionally(failure));
        walkAgainIfAsked(target);
    }

    private void walkAgainIfAsked(Watched target) {
        if (target.walkAgain) {
            target.walkAgain = false;
            startWalk(target);
        }
    }

    private void recountAll() {
        recountAllScheduled.set(false);
        for (Watched target : watched.values()) {
            requestWalk(target, null);
        }
    }

    /** Queued destroy events: out of their sets, orphans looked up in the sets that became small, counts reported. */
    private void onDestroyed() {
        destroyedScheduled.set(false); // before taking the queue: an event queued from here on schedules again
        for (Watched target : applyDestroyed()) {
            dropOrphans(target);
            target.deliver();
        }
    }

    /** Takes the queued destroy events out of the sets; returns the sets that lost a socket. */
    private Set<Watched> applyDestroyed() {
        Set<Watched> changed = new LinkedHashSet<>();
        for (Destroyed event = destroyed.poll(); event != null; event = destroyed.poll()) {
            Watched target = watched.get(event.address());
            if (target == null) {
                continue;
            }
            if (target.goneDuringWalk != null) {
                target.goneDuringWalk.add(event.cookie());
            }
            if (target.live.remove(event.cookie()) != null) {
                changed.add(target);
            }
        }
        return changed;
    }

    /** Looks the sockets of a small set up one by one and drops the ones that no longer count. */
    private void dropOrphans(Watched target) {
        if (!target.counted || target.live.isEmpty() || target.live.size() > LOOKUP_LIMIT) {
            return;
        }
        for (Iterator<DiagSocket> it = target.live.values().iterator(); it.hasNext(); ) {
            DiagSocket socket = it.next();
            if (!stillLive(socket)) {
                it.remove();
                if (target.goneDuringWalk != null) { // a walk in flight may have seen it live: never again
                    target.goneDuringWalk.add(socket.cookie());
                }
            }
        }
    }

    private void checkOrphansAll() {
        for (Watched target : watched.values()) {
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
            reader = new EventReader(); // joins the destroy groups before any walk of a watch
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

    private void removeWatch(WatchImpl watch) {
        synchronized (lifecycle) {
            Watched target = watched.get(watch.address);
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
        return walks.get();
    }

    /** Sockets looked up by their exact id so far. */
    long lookups() {
        return lookups.get();
    }

    /** Destroy events on watched addresses the reader has handed to the tracker thread so far. */
    long eventsQueued() {
        return eventsQueued.get();
    }

    /** Runs {@code hook} on the walker thread after each walk of a watch and before the tracker applies it. */
    void afterWalk(Consumer<InetAddress> hook) {
        afterWalk = hook;
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

    // ------------------------------------------------------------------ types

    /**
     * One socket of a sock_diag answer, as much as counting and looking up need. An answer to the legacy dump
     * has type TCPDIAG_GETSOCK, the others SOCK_DIAG_BY_FAMILY; the body is the same inet_diag_msg.
     */
    record DiagSocket(int family, StructInetDiagSockId id, int state, long inode) {

        static DiagSocket parse(NetlinkMessage message) {
            if (message.type() != SOCK_DIAG_BY_FAMILY && message.type() != TCPDIAG_GETSOCK) {
                return null;
            }
            StructInetDiagMsg socket = StructInetDiagMsg.parse(message.body());
            return new DiagSocket(socket.family(), socket.id(), socket.state(), socket.inode());
        }

        long cookie() {
            return id.cookie();
        }

        SocketEntry entry() {
            return new SocketEntry(SocketEntry.Protocol.TCP, id.local(family), id.remote(family),
                    TcpState.ofKernel(state), inode);
        }

        /** The rule of {@link SocketEntry#isLiveConnection()}: {@link TcpState#holdsAddress}. */
        boolean isLiveConnection() {
            return TcpState.ofKernel(state).holdsAddress(inode != 0);
        }
    }

    private record Destroyed(InetAddress address, long cookie) {
    }

    /** One watched address: its watches and, on the tracker thread only, the live connections counted on it. */
    private static final class Watched {
        private final InetAddress address;
        private final Set<WatchImpl> watchers = new CopyOnWriteArraySet<>();
        /** By socket cookie; touched on the tracker thread only. */
        private final Map<Long, DiagSocket> live = new HashMap<>();
        /** A walk has filled {@link #live}; before that there is nothing to report. Tracker thread only. */
        private boolean counted;
        /**
         * While a walk is in flight, the cookies of the sockets freed, or found orphaned by a lookup, since it
         * started (neither comes back); null otherwise. Tracker thread only.
         */
        private Set<Long> goneDuringWalk;
        /** A walk was asked for while one was in flight. Tracker thread only. */
        private boolean walkAgain;
        /** Waiting for the next walk to start and be applied. Tracker thread only. */
        private final List<CompletableFuture<Void>> waitingForWalk = new ArrayList<>();

        Watched(InetAddress address) {
            this.address = address;
        }

        void deliver() {
            if (!counted) {
                return;
            }
            int count = live.size();
            for (WatchImpl watch : watchers) {
                watch.deliver(count);
            }
        }
    }

    private final class WatchImpl implements Watch {
        private final InetAddress address;
        private final IntConsumer onCount;
        private volatile boolean closed;
        private int lastCount = -1; // touched on the tracker thread only

        WatchImpl(InetAddress address, IntConsumer onCount) {
            this.address = address;
            this.onCount = onCount;
        }

        void deliver(int count) {
            if (closed || count == lastCount) {
                return;
            }
            lastCount = count;
            try {
                onCount.accept(count);
            } catch (RuntimeException e) {
                log.warn("connection count listener for {} failed", IpText.of(address), e);
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                removeWatch(this);
            }
        }
    }

    /**
     * The destroy-event socket and its reader thread, alive while any watch is open. The thread blocks in
     * poll(2) on the socket and an eventfd that {@link #stop} signals.
     */
    private final class EventReader {
        private final NetlinkSocket events;
        private final EventFd wakeup;
        private final Thread thread;
        private volatile boolean running = true;

        EventReader() {
            events = NetlinkSocket.openIn(netns, NETLINK_SOCK_DIAG);
            try {
                int size = events.setReceiveBufferSize(EVENT_RECEIVE_BUFFER);
                log.debug("sock_diag event socket in {} has a {} byte receive buffer", netns.describe(), size);
                events.joinGroup(SKNLGRP_INET_TCP_DESTROY);
                events.joinGroup(SKNLGRP_INET6_TCP_DESTROY);
                wakeup = new EventFd();
            } catch (RuntimeException e) {
                events.close();
                throw e;
            }
            thread = new Thread(this::run, "renumber-tracker-events-" + (netns.name() == null ? "self" : netns.name()));
            thread.setDaemon(true);
            thread.start();
        }

        void stop() {
            running = false;
            wakeup.signal();
            // The thread closes the socket and the eventfd itself once poll returns.
        }

        private void run() {
            try {
                while (running) {
                    if (!events.awaitReadable(wakeup, -1)) {
                        continue;
                    }
                    try {
                        events.receiveEvents(this::onEvent);
                    } catch (NetworkException e) {
                        if (e.errno() != Errno.ENOBUFS) {
                            throw e;
                        }
                        log.debug("sock_diag events lost in {} (ENOBUFS); re-counting every watched address",
                                netns.describe());
                        if (recountAllScheduled.compareAndSet(false, true)) {
                            submit(SockDiagConnectionTracker.this::recountAll);
                        }
                    }
                }
            } catch (RuntimeException e) {
                log.warn("sock_diag event reader in {} stopped; the {} ms safety timer keeps counts current",
                        netns.describe(), safetyInterval.toMillis(), e);
            } finally {
                events.close();
                wakeup.close();
            }
        }

        /** Every TCP socket freed in the namespace comes by; the ones on a watched address go to the tracker thread. */
        private void onEvent(NetlinkMessage message) {
            if (message.type() != SOCK_DIAG_BY_FAMILY) {
                return;
            }
            StructInetDiagMsg socket = StructInetDiagMsg.parse(message.body());
            InetAddress local = socket.id().sourceAddress(socket.family());
            if (!watched.containsKey(local)) {
                return;
            }
            destroyed.add(new Destroyed(local, socket.id().cookie()));
            eventsQueued.incrementAndGet();
            if (destroyedScheduled.compareAndSet(false, true)) {
                submit(SockDiagConnectionTracker.this::onDestroyed);
            }
        }
    }
}
