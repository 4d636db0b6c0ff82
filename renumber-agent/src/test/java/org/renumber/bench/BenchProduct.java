package org.renumber.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.remote.JMXServiceURL;
import org.renumber.domain.ChangeState;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.ChangeListener;
import org.renumber.domain.port.KernelPorts;
import org.renumber.jmx.JmxAdapter;
import org.renumber.jmx.JmxRemoteServer;
import org.renumber.jmx.SocketPlace;
import org.renumber.journal.EventLogFile;
import org.renumber.journal.FileJournal;
import org.renumber.journal.MonitorSettingsFile;
import org.renumber.journal.ServiceSettingsFile;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.NftablesGuard;
import org.renumber.linux.rtnl.NetlinkNetworkControl;
import org.renumber.linux.rtnl.RtnetlinkAddressEvents;
import org.renumber.linux.sockdiag.SockDiagConnectionTracker;
import org.renumber.linux.sockdiag.SockDiagSocketInventory;
import org.renumber.linux.sockdiag.SockDiagSocketKiller;
import org.renumber.monitor.DetectedChange;
import org.renumber.monitor.InterfaceMonitor;
import org.renumber.security.Credentials;
import org.renumber.service.AddressChangeService;
import org.renumber.service.SubscriberRegistry;

/**
 * The product, assembled as {@code Agent} assembles it: the service on the real kernel with its journal, the
 * MBeans, the InterfaceMonitor and the password-protected JMX connector on loopback, its notification buffer
 * sized and grown as the agent sizes and grows it. Only a pass-through {@link TimedTracker} sits between service and tracker.
 */
final class BenchProduct implements AutoCloseable {

    /** A renumbering the InterfaceMonitor recognised, and when: nanoTime on the monitor's thread. */
    record Detection(String changeId, String error, long at) {
    }

    final Credentials credentials = new Credentials("bench", "bench-" + System.nanoTime());
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final AtomicReference<CompletableFuture<Detection>> detection = new AtomicReference<>();
    NetlinkNetworkControl network;
    InterfaceMonitor monitor;
    SockDiagConnectionTracker sockDiag;
    TimedTracker timed;
    AddressChangeService service;
    JMXServiceURL jmxUrl;
    Path stateDir;

    /**
     * Wires the product on {@code namespace} with {@code subscriberIds} already subscribed (group "bench", every
     * change), its MBeans in {@code mbeans}, its state in {@code target/<stateName>} (emptied first).
     */
    static BenchProduct wire(String namespace, ChangeListener events, List<String> subscriberIds,
                             MBeanServer mbeans, String stateName) throws Exception {
        BenchProduct product = new BenchProduct();
        try {
            product.assemble(namespace, events, subscriberIds, mbeans, stateName);
            return product;
        } catch (Exception | Error e) {
            product.close();
            throw e;
        }
    }

    private void assemble(String namespace, ChangeListener events, List<String> subscriberIds,
                          MBeanServer mbeans, String stateName) throws Exception {
        LinuxNetns netns = keep(LinuxNetns.open(namespace));
        network = keep(new NetlinkNetworkControl(netns));
        sockDiag = keep(new SockDiagConnectionTracker(netns));
        timed = new TimedTracker(sockDiag);
        // Under target/ (same disk as the build, fsyncs are real), emptied first: a killed run leaves nothing elsewhere.
        stateDir = Path.of("target", stateName).toAbsolutePath();
        deleteTree(stateDir);
        FileJournal journal = new FileJournal(stateDir);
        // Written at once as a journal a restarted agent finds: subscribing 10,000 one by one rewrites the file each time.
        journal.saveSubscriptions(subscriberIds.stream().map(id -> new Subscription(id, "bench", "")).toList());
        SubscriberRegistry subscribers = new SubscriberRegistry(journal);
        KernelPorts kernel = new KernelPorts(network, timed, new NftablesGuard(netns),
                keep(new SockDiagSocketKiller(netns)));
        service = keep(new AddressChangeService(kernel, journal, new ServiceSettingsFile(stateDir), subscribers,
                Clock.systemUTC()));
        keep(JmxAdapter.export(mbeans, service, sockDiag, keep(new SockDiagSocketInventory(netns)),
                new EventLogFile(stateDir)));
        service.start();
        service.addListener(events); // after the JMX adapter: its publishing is part of the measured path
        monitor = keep(new InterfaceMonitor(new RtnetlinkAddressEvents(netns, Clock.systemUTC()), service, sockDiag,
                new MonitorSettingsFile(stateDir), Clock.systemUTC()));
        monitor.addListener(new InterfaceMonitor.Listener() {
            @Override
            public void renumberingDetected(DetectedChange detected) {
                long now = System.nanoTime();
                CompletableFuture<Detection> waiting = detection.getAndSet(null);
                if (waiting != null) {
                    waiting.complete(new Detection(detected.changeId(), detected.error(), now));
                }
            }
        });
        monitor.start();
        JmxRemoteServer jmx = keep(JmxRemoteServer.start(mbeans, JmxRemoteServer.DEFAULT_HOST, 0, credentials,
                JmxRemoteServer.notificationBufferSize(subscriberIds.size()), SocketPlace.HERE, ""));
        jmx.follow(subscribers);
        jmxUrl = jmx.url();
    }

    /**
     * The COMPLETED event is published before the service stops counting the change as active, so a change
     * requested right on that event can still be refused as "already running"; awaitChange returns after.
     */
    void awaitFinished(String changeId) throws InterruptedException {
        ChangeState state = service.awaitChange(changeId, RenumberBenchmark.PATIENCE_SECONDS);
        if (!state.isFinal()) {
            throw new IllegalStateException("change " + changeId + " still " + state + " after "
                    + RenumberBenchmark.PATIENCE_SECONDS + " s");
        }
    }

    /** What {@code future} completes with, within the benchmark's patience. */
    static <T> T get(CompletableFuture<T> future, String what) throws InterruptedException {
        try {
            return future.get(RenumberBenchmark.PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("waited " + RenumberBenchmark.PATIENCE_SECONDS + " s for " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("failed waiting for " + what, e.getCause());
        }
    }

    /** The next renumbering the monitor detects. */
    CompletableFuture<Detection> nextDetection() {
        CompletableFuture<Detection> next = new CompletableFuture<>();
        detection.set(next);
        return next;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            LoadNetwork.closeQuietly(resources.get(i));
        }
        if (stateDir != null) {
            deleteTree(stateDir);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + root, e);
        }
    }
}
