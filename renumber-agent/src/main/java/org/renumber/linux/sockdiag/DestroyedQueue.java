package org.renumber.linux.sockdiag;

import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Destroy events on watched addresses, handed from the event reader's thread ({@link DestroyEvents}) to the
 * tracker thread of {@link SockDiagConnectionTracker}: the reader queues them and schedules one drain, the
 * tracker thread takes them out of the watched sets.
 */
final class DestroyedQueue implements DestroyEvents.Listener {

    private record Destroyed(InetAddress address, long cookie) {
    }

    private final Map<InetAddress, WatchedAddress> watched;
    private final Runnable schedule;
    private final Runnable lost;
    private final Queue<Destroyed> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong queued = new AtomicLong();

    /**
     * @param schedule runs the tracker's drain on its thread; called once for events queued since the last
     *                 {@link #rearm}
     * @param lost     called when events were lost
     */
    DestroyedQueue(Map<InetAddress, WatchedAddress> watched, Runnable schedule, Runnable lost) {
        this.watched = watched;
        this.schedule = schedule;
        this.lost = lost;
    }

    @Override
    public boolean watches(InetAddress local) {
        return watched.containsKey(local);
    }

    @Override
    public void destroyed(InetAddress local, long cookie) {
        queue.add(new Destroyed(local, cookie));
        queued.incrementAndGet();
        if (scheduled.compareAndSet(false, true)) {
            schedule.run();
        }
    }

    @Override
    public void lost() {
        lost.run();
    }

    /** Called on the tracker thread before it drains: an event queued from here on schedules again. */
    void rearm() {
        scheduled.set(false);
    }

    /** Takes the queued destroy events out of the sets (tracker thread); returns the sets that lost a socket. */
    Set<WatchedAddress> apply() {
        Set<WatchedAddress> changed = new LinkedHashSet<>();
        for (Destroyed event = queue.poll(); event != null; event = queue.poll()) {
            WatchedAddress target = watched.get(event.address());
            if (target != null && target.destroyed(event.cookie())) {
                changed.add(target);
            }
        }
        return changed;
    }

    /** Destroy events on watched addresses queued so far. */
    long queued() {
        return queued.get();
    }
}
