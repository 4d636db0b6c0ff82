package org.renumber.linux.sockdiag;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.linux.IpText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One address {@link SockDiagConnectionTracker} watches: its watches and the counting rules for the live
 * connections on it, kept by socket cookie (the class comment of the tracker tells why each rule holds). Apart
 * from {@link #watchers}, everything here is touched on the tracker thread only.
 *
 * <p>What a destroy event cannot tell:
 * <ul>
 *   <li><b>Orphans.</b> A socket its application closed is orphaned at once (inode 0). It still counts while the
 *       peer has not acknowledged its FIN (FIN_WAIT1, CLOSING, LAST_ACK: {@link SocketEntry#isLiveConnection()},
 *       docs/architecture.md "Drain"), and no longer once it has (FIN_WAIT2, TIME_WAIT). The acknowledgement
 *       comes with an event: the kernel frees a LAST_ACK socket, and swaps a FIN_WAIT1 or CLOSING one for a small
 *       FIN_WAIT2/TIME_WAIT entry and frees it (seen on 6.18). An orphan that owes the peer nothing may stay
 *       without an event (FIN_WAIT2 when {@code tcp_fin_timeout} exceeds 60 s), and a socket the walk saw owned
 *       may have been closed since. So whenever events shrank a set to at most
 *       {@value SockDiagConnectionTracker#LOOKUP_LIMIT} sockets, and every orphan-check interval (default
 *       {@link SockDiagConnectionTracker#DEFAULT_ORPHAN_CHECK_INTERVAL}), the tracker
 *       looks each remaining socket up by its exact id (SOCK_DIAG_BY_FAMILY without NLM_F_DUMP: a hash lookup
 *       with a cookie check, no walk) and drops the ones that are gone or no longer hold the address.
 *       A larger set is corrected by the safety walk only, which is fine while it is far from 0. The count
 *       therefore errs high, never low, for the sockets the last walk saw.</li>
 *   <li><b>New connections</b> on the address after the last walk: sock_diag has no creation event. The safety
 *       walk (default every {@link SockDiagConnectionTracker#DEFAULT_SAFETY_INTERVAL}) finds them. Until then the
 *       count can be too low,
 *       and it can reach 0 from events while such a connection exists. The drain workflow makes this rare: by
 *       the time it watches, new outbound connections use the new address, and inbound ones can be refused.</li>
 * </ul>
 */
final class WatchedAddress {

    private static final Logger log = LoggerFactory.getLogger(WatchedAddress.class);

    final InetAddress address;
    final Set<CountWatch> watchers = new CopyOnWriteArraySet<>();
    /** Waiting for the next walk to start and be applied. */
    final List<CompletableFuture<Void>> waitingForWalk = new ArrayList<>();
    /** A walk was asked for while one was in flight. */
    boolean walkAgain;
    /** By socket cookie. */
    private final Map<Long, DiagSocket> live = new HashMap<>();
    /** A walk has filled {@link #live}; before that there is nothing to report. */
    private boolean counted;
    /**
     * While a walk is in flight, the cookies of the sockets freed, or found orphaned by a lookup, since it
     * started (neither comes back); null otherwise.
     */
    private Set<Long> goneDuringWalk;

    WatchedAddress(InetAddress address) {
        this.address = address;
    }

    boolean walking() {
        return goneDuringWalk != null;
    }

    /** From now until {@link #walkFound}, the sockets that go are remembered: the walk may have seen them. */
    void walkStarted() {
        goneDuringWalk = new HashSet<>();
    }

    void walkFailed() {
        goneDuringWalk = null;
    }

    /** Replaces the set with the live connections the walk found, less what was freed while it ran. */
    void walkFound(List<DiagSocket> found) {
        Set<Long> freed = goneDuringWalk;
        goneDuringWalk = null;
        live.clear();
        for (DiagSocket socket : found) {
            if (socket.isLiveConnection() && !freed.contains(socket.cookie())) {
                live.put(socket.cookie(), socket);
            }
        }
        counted = true;
    }

    /** A destroy event for {@code cookie}; true when the set lost a socket. */
    boolean destroyed(long cookie) {
        if (goneDuringWalk != null) {
            goneDuringWalk.add(cookie);
        }
        return live.remove(cookie) != null;
    }

    /** Looks the sockets of a set of at most {@code limit} up one by one and drops the ones that no longer count. */
    void dropOrphans(Predicate<DiagSocket> stillLive, int limit) {
        if (!counted || live.isEmpty() || live.size() > limit) {
            return;
        }
        for (Iterator<DiagSocket> it = live.values().iterator(); it.hasNext(); ) {
            DiagSocket socket = it.next();
            if (!stillLive.test(socket)) {
                it.remove();
                if (goneDuringWalk != null) { // a walk in flight may have seen it live: never again
                    goneDuringWalk.add(socket.cookie());
                }
            }
        }
    }

    /** Reports the count to every watch, once a walk has counted. */
    void deliver() {
        if (!counted) {
            return;
        }
        int count = live.size();
        for (CountWatch watch : watchers) {
            watch.deliver(count);
        }
    }

    /** One {@link ConnectionTracker.Watch}: reports a count only when it changed. */
    static final class CountWatch implements ConnectionTracker.Watch {
        final InetAddress address;
        private final IntConsumer onCount;
        private final Consumer<CountWatch> onClose;
        private volatile boolean closed;
        private int lastCount = -1; // touched on the tracker thread only

        CountWatch(InetAddress address, IntConsumer onCount, Consumer<CountWatch> onClose) {
            this.address = address;
            this.onCount = onCount;
            this.onClose = onClose;
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
                onClose.accept(this);
            }
        }
    }
}
