package org.renumber.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The collections of this JVM's garbage collectors (issue 14: the P2 tail was traced to young-collection pauses).
 * P2 counts the samples whose window, last close() to DRAINED, held a collection: a load-independent cause of a
 * slow sample, where the wall-clock figure is not.
 */
final class GcPauses {

    /** Collections and their accumulated time so far, over every collector. */
    record Snapshot(long collections, long millis) {
        static Snapshot now() {
            long count = 0;
            long time = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                count += Math.max(0, gc.getCollectionCount());
                time += Math.max(0, gc.getCollectionTime());
            }
            return new Snapshot(count, time);
        }

        Snapshot since(Snapshot earlier) {
            return new Snapshot(collections - earlier.collections, millis - earlier.millis);
        }
    }

    private int samples;
    private int samplesWithCollection;
    private long collections;
    private long millis;

    /** One sample's window, from {@code before} (taken just before it opened) to now. */
    void window(Snapshot before) {
        Snapshot inside = Snapshot.now().since(before);
        samples++;
        if (inside.collections() > 0) {
            samplesWithCollection++;
            collections += inside.collections();
            millis += inside.millis();
        }
    }

    String summary() {
        return String.format("%d of %d P2 sample(s) had a garbage collection between the peers' closes and "
                + "DRAINED (%d collection(s), %d ms); collectors: %s, heap max %,d MiB", samplesWithCollection,
                samples, collections, millis, collectors(), heapMax() / (1024 * 1024));
    }

    private static String collectors() {
        List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
        return beans.stream().map(GarbageCollectorMXBean::getName).collect(Collectors.joining(", "));
    }

    private static long heapMax() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getMax();
    }
}
