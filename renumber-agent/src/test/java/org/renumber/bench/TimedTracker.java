package org.renumber.bench;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.port.ConnectionTracker;

/**
 * A pass-through {@link ConnectionTracker} between the service and the real tracker that timestamps, with
 * {@link System#nanoTime()}, what the tracker reports on one address the benchmark is looking at: that the
 * workflow's watch is open (its first count delivered) and when the count reached 0. It adds one
 * volatile read and, on the probed address only, one nanoTime call per count; nothing else changes.
 */
final class TimedTracker implements ConnectionTracker {

    /** What the watch on {@link #address} reported; each future completes once. */
    static final class Probe {
        final InetAddress address;
        final CompletableFuture<Integer> firstCount = new CompletableFuture<>();
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        final CompletableFuture<Long> zeroAt = new CompletableFuture<>();

        Probe(InetAddress address) {
            this.address = address;
        }

        void counted(int count) {
            long now = System.nanoTime();
            firstCount.complete(count);
            if (count == 0) {
                zeroAt.complete(now);
            }
        }
    }

    private final ConnectionTracker delegate;
    private volatile Probe probe;

    TimedTracker(ConnectionTracker delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The next watch opened on {@code address} reports to the returned probe. */
    Probe expect(InetAddress address) {
        Probe next = new Probe(address);
        probe = next;
        return next;
    }

    @Override
    public List<SocketEntry> sockets(InetAddress address) {
        return delegate.sockets(address);
    }

    @Override
    public int countConnections(InetAddress address) {
        return delegate.countConnections(address);
    }

    @Override
    public Watch watch(InetAddress address, IntConsumer onCount) {
        Probe current = probe;
        if (current == null || !current.address.equals(address)) {
            return delegate.watch(address, onCount);
        }
        Watch watch = delegate.watch(address, count -> {
            current.counted(count);
            onCount.accept(count);
        });
        current.opened.complete(null);
        return watch;
    }
}
