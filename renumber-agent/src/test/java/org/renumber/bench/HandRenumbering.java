package org.renumber.bench;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.renumber.domain.EventType;
import org.renumber.domain.InterfaceAddress;

/**
 * P4: renumberings done by hand on a second interface of the managed namespace, as {@code ip} does them (primary
 * removed, new address added, old one re-added as alias), through the product's netlink calls so the step that
 * completes the pattern is timestamped.
 */
final class HandRenumbering {

    /** The interface of A that P4 renumbers by hand, away from the target and load addresses. */
    private static final String HAND_INTERFACE = "hand0";
    /** The InterfaceMonitor's window during P4: short, since the setup waits it out once. */
    private static final Duration HAND_WINDOW = Duration.ofSeconds(1);

    private HandRenumbering() {
    }

    static void measure(LoadNetwork network, BenchProduct product, EventTimes events, BenchConfig config,
                        Table table) throws Exception {
        // A veth pair inside A (this kernel has no dummy driver); only one end is renumbered.
        network.ipInManaged("link", "add", HAND_INTERFACE, "type", "veth", "peer", "name", HAND_INTERFACE + "p");
        network.ipInManaged("link", "set", HAND_INTERFACE, "up");
        network.ipInManaged("link", "set", HAND_INTERFACE + "p", "up");
        // Each run renumbers its own subnet: the monitor ignores the addresses of the agent's changes for a window
        // after they end, so a run must not reuse the previous run's addresses. An old address must also have been
        // configured before the window of its steps, so the setup waits one (short) window out.
        int runs = config.warmups() + config.p4Runs();
        for (int i = 1; i <= runs; i++) {
            product.network.addAddress(HAND_INTERFACE, handAddress(i, 1));
        }
        product.monitor.setAutoRemoveAlias(true);
        product.monitor.setSettleMillis(0);
        product.monitor.setWindowMillis(HAND_WINDOW.toMillis());
        await().pollDelay(HAND_WINDOW.plusMillis(100)).atMost(HAND_WINDOW.multipliedBy(5)).until(() -> true);
        Samples detected = new Samples("last step (old address re-added as alias) -> detection, change adopted");
        Samples started = new Samples("  last step -> STARTED event (subscribers notified)");
        Samples completed = new Samples("  last step -> COMPLETED (alias removed by AutoRemoveAlias)");
        for (int i = 1; i <= runs; i++) {
            InterfaceAddress old = handAddress(i, 1);
            CompletableFuture<BenchProduct.Detection> detection = product.nextDetection();
            product.network.removeAddress(HAND_INTERFACE, old);
            product.network.addAddress(HAND_INTERFACE, handAddress(i, 2));
            long lastStep = System.nanoTime();
            product.network.addAddress(HAND_INTERFACE, old);
            BenchProduct.Detection seen = BenchProduct.get(detection, "the detection of hand renumbering " + i);
            if (seen.changeId() == null) {
                throw new IllegalStateException("hand renumbering " + i + " detected but not adopted: " + seen.error());
            }
            long startedAt = BenchProduct.get(events.at(seen.changeId(), EventType.STARTED), "STARTED of " + seen.changeId());
            EventTimes.Final end = BenchProduct.get(events.end(seen.changeId()), "the end of change " + seen.changeId());
            if (end.type() != EventType.COMPLETED) {
                throw new IllegalStateException("change " + seen.changeId() + " ended with " + end.type());
            }
            product.awaitFinished(seen.changeId());
            if (i > config.warmups()) {
                detected.add(seen.at() - lastStep);
                started.add(startedAt - lastStep);
                completed.add(end.at() - lastStep);
            }
        }
        table.add("P4", detected, Table.Target.NONE);
        table.add("P4", started, Table.Target.NONE);
        table.add("P4", completed, Table.Target.NONE);
    }

    private static InterfaceAddress handAddress(int subnet, int host) {
        return InterfaceAddress.parse("10.10." + subnet + "." + host + "/24");
    }
}
