package org.renumber.bench;


import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.renumber.domain.EventType;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.sockdiag.SockDiagConnectionTracker;
import org.renumber.monitor.InterfaceMonitor;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/**
 * The performance benchmark (issues 2 and 14). Prints figures, checks each against its target and prints MISSED
 * next to one that misses it; asserts nothing about speed.
 *
 * <pre>
 *   mvn -q -Pbenchmark test                          # N = 10,000 connections, 20 changes per P2 mode
 *   mvn -q -Pbenchmark test -Dn=100000 -Dchanges=100 # N = 100,000, 100 changes per P2 mode
 * </pre>
 * As root (it creates network namespaces {@code rn-bench-<random>-a/-b} and deletes them afterwards, also on
 * failure; the host's own namespace is never changed). The normal build ({@code mvn verify}) skips it: it is
 * tagged {@value #TAG} and the pom excludes that tag outside the {@code benchmark} profile.
 *
 * <p>Namespace A, which the agent manages, holds N established TCP connections (see {@link LoadNetwork}): N-10
 * load connections on other addresses held by helper JVMs, and 10 on the target address held by this JVM.
 * The product is wired as the agent wires it ({@link BenchProduct}). Every timestamp is {@link System#nanoTime()}
 * in this JVM.
 * <ul>
 *   <li>P1 compares an in-process Java call with spawning a process: {@code tracker.sockets(target)} and
 *       {@code countConnections(target)}, next to {@code ss -Htn src TARGET} spawned from a thread inside A (start
 *       to exit), and {@code countConnections} on the ConnectionTracker MBean over a logged-in JMX connection, in
 *       interleaved rounds after a warm-up; medians and ratios.
 *   <li>P2: a change of the target address runs through the service while the 10 target connections are held;
 *       once the drain watch is open, the peers close their ends, then this JVM closes its ends. Measured:
 *       nanoTime just before the last close() call, to the DRAINED event from the service (and, as a
 *       breakdown, to the tracker reporting 0, and DRAINED -> COMPLETED). Two modes: "burst" closes the 10
 *       back to back (recounts started by the first closes may still be running at the last one); "last
 *       alone" closes 9 before requesting the change, so the watch opens on 1 and its close is the only event.
 *   <li>P3: complete changes with no connection on the target and 10 subscribers, each listened to by its own
 *       remote JMX connection: changeAddress() to the COMPLETED event, to each started notification, to the
 *       completed notification at all 10, and what arrived of each type ({@link FanOut}).
 *   <li>P4: renumberings done by hand on a second interface of A, as {@code ip} does them (primary removed, new
 *       address added, old one re-added as alias), through the product's netlink calls so the step that
 *       completes the pattern is timestamped: nanoTime just before that call, to the InterfaceMonitor's
 *       detection (the change adopted, {@code renumber.interface.changed}), to the STARTED event, and to
 *       COMPLETED (with AutoRemoveAlias on, the agent removes the alias once no connection uses it).
 *   <li>P5: fan-out at 1,000 and 10,000 subscriptions: 100 JMX connections of plain listeners (up to 10
 *       subscriptions each) and 10 of the client library; per event type delivered/expected, changeAddress() to
 *       each started notification, and whether every handler got every event exactly once, in order.
 *   <li>P6: the packaged agent as {@code packaging/renumber-agent} (the unit's launcher) starts it, in a namespace
 *       of its own: JVM start to a ready Jolokia, idle RSS, calls over a kept-alive Jolokia connection, RSS after
 *       them and the peak ({@link Footprint}). Needs {@code target/renumber.jar} ({@code mvn -DskipTests package}).
 * </ul>
 * Properties (-D on the mvn command line): {@code n} (connections, default 10000), {@code changes} (per P2
 * mode, default 20), {@code p1runs} (50), {@code ssruns} (20), {@code p3runs} (7), {@code p4runs} (20),
 * {@code warmups} (2 changes), {@code p5sizes} (1000,10000; empty for no P5), {@code p5changes} (20),
 * {@code p6starts} (5 measured starts; 0 for no P6), {@code p6calls} (1000 kept-alive calls).
 * The product's log goes to {@code target/benchmark-agent.log} unless {@code org.slf4j.simpleLogger.logFile}
 * is set.
 */
@Tag(RenumberBenchmark.TAG)
@KernelTest
class RenumberBenchmark {

    static final String TAG = "benchmark";
    static final int TARGET_CONNECTIONS = 10;
    static final int SUBSCRIBERS = 10;
    static final long PATIENCE_SECONDS = 60;
    /** Held here: java.util.logging keeps only weak references, and a collected logger forgets its level. */
    private static final java.util.logging.Logger CLIENT_LOG =
            java.util.logging.Logger.getLogger("org.renumber.client.AddressChangeClient");

    private final BenchConfig config = BenchConfig.fromSystemProperties();
    private final PrintStream out = System.out;
    private final Table table = new Table();
    private final EventTimes events = new EventTimes();
    private final List<InetAddress> addressPool = new ArrayList<>();
    private int nextAddress;
    private int slowDrains;
    private final GcPauses gcInDrains = new GcPauses();
    private InetAddress target = IpLiterals.parse(NetNsFixture.ADDRESS_A);

    private LoadNetwork network;
    private BenchProduct product;

    @Test
    void benchmark() throws Exception {
        routeProductLogToFile();
        for (int i = 3; i <= 254; i++) {
            addressPool.add(IpLiterals.parse("10.9.0." + i));
        }
        addressPool.add(IpLiterals.parse(NetNsFixture.ADDRESS_A));
        out.printf("Renumber benchmark: N = %,d established TCP connections in the managed namespace, %d of them on "
                + "the target address%n", config.connections(), TARGET_CONNECTIONS);
        long start = System.nanoTime();
        try {
            if (config.footprintStarts() > 0) { // first, while the machine holds no load connections
                Footprint.measure(config.footprintStarts(), config.keepAliveCalls(), table);
            }
            network = LoadNetwork.create(config.connections() - TARGET_CONNECTIONS, out);
            product = BenchProduct.wire(network.managedNamespace(), events, subscriberIds(SUBSCRIBERS),
                    ManagementFactory.getPlatformMBeanServer(), "benchmark-state");
            LoadNetwork.Connections held = network.connect(target, TARGET_CONNECTIONS);
            long setupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            printContext(setupMillis);
            try (held) {
                Lookup.measure(network, product, target, config, table);
            }
            for (int i = 0; i < config.warmups(); i++) {
                drainOnce(DrainMode.BURST, null, null, null);
            }
            measureDrain(DrainMode.BURST);
            measureDrain(DrainMode.LAST_ALONE);
            measureCompleteChange();
            HandRenumbering.measure(network, product, events, config, table);
            LoadNetwork.closeQuietly(product);
            product = null;
            for (int size : config.fanOutSizes()) {
                measureFanOut(size);
            }
            table.print(out);
            out.printf("N = %,d; P2: %d changes per mode after %d warm-up change(s); at the end: %s%n",
                    config.connections(), config.changes(), config.warmups(), Table.load());
            out.println(gcInDrains.summary());
            if (slowDrains > 0) {
                out.printf("%d P2 sample(s) took 1 s or more: the drain was noticed by the tracker's %d s safety "
                        + "timer, not by a socket-destroy event%n", slowDrains,
                        SockDiagConnectionTracker.DEFAULT_SAFETY_INTERVAL.toSeconds());
            }
        } finally {
            LoadNetwork.closeQuietly(product);
            LoadNetwork.closeQuietly(network);
            out.printf("total run time %.1f s (setup, measurements, cleanup)%n", (System.nanoTime() - start) / 1e9);
        }
    }

    // ---------------------------------------------------------------- P2

    private enum DrainMode {
        BURST("burst: 10 closed back to back"),
        LAST_ALONE("last alone: 9 closed before the change, 1 left");

        final String label;

        DrainMode(String label) {
            this.label = label;
        }
    }

    private void measureDrain(DrainMode mode) throws Exception {
        Samples drained = new Samples("last close() -> DRAINED, " + mode.label);
        Samples zero = new Samples("  of which last close() -> tracker reports 0");
        Samples removal = new Samples("  then DRAINED -> COMPLETED (old address removed, routes tidied)");
        for (int i = 0; i < config.changes(); i++) {
            drainOnce(mode, drained, zero, removal);
        }
        slowDrains += drained.countAtLeast(TimeUnit.SECONDS.toNanos(1));
        table.add("P2", drained, Table.Target.p99Below(5));
        table.add("P2", zero, Table.Target.NONE);
        table.add("P2", removal, Table.Target.NONE);
    }

    /**
     * One change of the target address with its connections held; closes them once the drain watch is open and
     * records last close() -> DRAINED. In {@link DrainMode#LAST_ALONE} 9 of the 10 are closed before the change
     * is requested, so the watch opens on 1 connection and no recount is still running when the last one closes.
     */
    private void drainOnce(DrainMode mode, Samples drained, Samples zero, Samples removal) throws Exception {
        InetAddress old = target;
        InetAddress fresh = nextAddress();
        TimedTracker.Probe probe = product.timed.expect(old);
        try (LoadNetwork.Connections held = network.connect(old, TARGET_CONNECTIONS)) {
            List<Socket> clients = held.clients();
            List<Socket> servers = held.servers();
            int early = mode == DrainMode.LAST_ALONE ? TARGET_CONNECTIONS - 1 : 0;
            closeBothEnds(servers.subList(0, early), clients.subList(0, early));
            String id = product.service.changeAddress(NetNsFixture.IF_A, host(old),
                    host(fresh) + "/" + NetNsFixture.PREFIX, "", PATIENCE_SECONDS);
            BenchProduct.get(probe.opened, "the drain watch of change " + id);
            int first = BenchProduct.get(probe.firstCount, "the first count of change " + id);
            if (first != TARGET_CONNECTIONS - early) {
                throw new IllegalStateException("change " + id + " started draining " + first
                        + " connections, expected "
                        + (TARGET_CONNECTIONS - early));
            }
            GcPauses.Snapshot gcBefore = GcPauses.Snapshot.now();
            long closedAt = closeBothEnds(servers.subList(early, servers.size()), clients.subList(early,
                    clients.size()));
            long drainedAt = BenchProduct.get(events.at(id, EventType.DRAINED), "DRAINED of change " + id);
            if (drained != null) {
                gcInDrains.window(gcBefore);
            }
            long zeroAt = BenchProduct.get(probe.zeroAt, "the tracker to report 0 on " + host(old));
            EventTimes.Final end = BenchProduct.get(events.end(id), "the end of change " + id);
            if (end.type() != EventType.COMPLETED) {
                throw new IllegalStateException("change " + id + " ended with " + end.type() + " instead of COMPLETED: "
                        + product.service.change(id).map(c -> c.progress().error()).orElse("?"));
            }
            product.awaitFinished(id);
            if (drained != null) {
                drained.add(drainedAt - closedAt);
                zero.add(zeroAt - closedAt);
            }
            if (removal != null) {
                removal.add(end.at() - drainedAt);
            }
        }
        target = fresh;
    }

    /**
     * The peers close first; each client end then has the FIN (read() = -1), so its own close() is the last
     * step: FIN, the peer's ACK, the kernel frees the socket and sends the destroy event. Returns the nanoTime
     * taken just before the last client close() call.
     */
    private static long closeBothEnds(List<Socket> servers, List<Socket> clients) throws IOException {
        for (Socket server : servers) {
            server.close();
        }
        for (Socket client : clients) {
            if (client.getInputStream().read() != -1) {
                throw new IllegalStateException("expected end of stream from the peer");
            }
        }
        long lastCloseAt = System.nanoTime();
        for (int i = 0; i < clients.size(); i++) {
            if (i == clients.size() - 1) {
                lastCloseAt = System.nanoTime();
            }
            clients.get(i).close();
        }
        return lastCloseAt;
    }

    // ---------------------------------------------------------------- P3

    private void measureCompleteChange() throws Exception {
        FanOut.Result result = FanOut.measure("10 subscriptions, each listened to on its own JMX connection", product,
                events, subscriberIds(SUBSCRIBERS), SUBSCRIBERS,
                1, 0, config.p3Runs(), this::changeWithoutConnections);
        FanOut.report("P3", result, table, Table.Target.p99Below(50));
        table.text("P3", "  changeAddress() -> COMPLETED event, every run (ms): " + result.serviceCompleted().all(), "",
                "", true);
    }

    /** A change of the target address, which no connection uses; returns its id once requested. */
    private String changeWithoutConnections() {
        InetAddress old = target;
        InetAddress fresh = nextAddress();
        if (product.sockDiag.countConnections(old) != 0) {
            throw new IllegalStateException("connections left on " + host(old));
        }
        String id = product.service.changeAddress(NetNsFixture.IF_A, host(old), host(fresh) + "/" + NetNsFixture.PREFIX,
                "", PATIENCE_SECONDS);
        target = fresh;
        return id;
    }

    // ---------------------------------------------------------------- P5

    /**
     * {@code size} subscriptions (journaled before the product starts, as a restarted agent finds them), 100 JMX
     * connections of plain listeners and 10 of the client library, {@link BenchConfig#fanOutChanges} changes.
     */
    private void measureFanOut(int size) throws Exception {
        int connections = 100;
        int libraryClients = 10;
        int perConnection = Math.max(1, Math.min(10, size / (2 * (connections + libraryClients))));
        long start = System.nanoTime();
        product = BenchProduct.wire(network.managedNamespace(), events, subscriberIds(size),
                MBeanServerFactory.newMBeanServer(), "benchmark-fanout");
        long wired = System.nanoTime();
        try {
            String label = String.format(Locale.ROOT, "%,d subscriptions; plain listeners: %,d on %d JMX connections; "
                    + "client library: %d handlers on %d", size, connections * perConnection, connections,
                    libraryClients * perConnection, libraryClients);
            FanOut.Result result = FanOut.measure(label, product, events, subscriberIds(size), connections,
                    perConnection, libraryClients, config.fanOutChanges(), this::changeWithoutConnections);
            FanOut.report("P5", result, table, Table.Target.NONE);
            out.printf("P5 at %,d subscriptions: product ready in %,d ms, %d changes measured in %,d ms; %s%n", size,
                    TimeUnit.NANOSECONDS.toMillis(wired - start), config.fanOutChanges(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wired), Table.load());
        } finally {
            LoadNetwork.closeQuietly(product);
            product = null;
        }
    }

    private static List<String> subscriberIds(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> "bench-" + i).toList();
    }

    // ---------------------------------------------------------------- output

    private void printContext(long setupMillis) {
        int inA = LoadNetwork.tcpInUse(network.inA());
        int inB = LoadNetwork.tcpInUse(network.inB());
        int host = LoadNetwork.tcpInUse(null);
        out.println(Table.machine());
        out.printf("namespaces: managed %s (target %s on %s), peers %s; deleted at the end%n",
                network.managedNamespace(), host(target), NetNsFixture.IF_A, network.peerNamespace());
        out.printf("TCP sockets in use: A %,d, B %,d, host namespace %,d (the sock_diag dump walks the kernel's "
                + "one shared table: all of them)%n", inA, inB, host);
        out.printf("setup: %,d ms (namespaces %,d ms; %,d load connections from %d source addresses by %d holder "
                + "JVMs in %,d ms)%n", setupMillis, network.namespacesMillis(),
                config.connections() - TARGET_CONNECTIONS,
                network.loadSources(), network.holderCount(), network.connectMillis());
        out.printf("journal: %s (%s); product log: %s%n", product.stateDir, fileStore(product.stateDir),
                System.getProperty("org.slf4j.simpleLogger.logFile", "stderr"));
        out.flush();
    }

    // ---------------------------------------------------------------- helpers

    private InetAddress nextAddress() {
        for (int tries = 0; tries < addressPool.size(); tries++) {
            InetAddress candidate = addressPool.get(nextAddress++ % addressPool.size());
            if (!candidate.equals(target)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free address");
    }

    private static String host(InetAddress address) {
        return address.getHostAddress();
    }

    private static String fileStore(Path path) {
        try {
            return Files.getFileStore(path).type();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The product logs one line per transition; on the console it would bury the table. */
    private static void routeProductLogToFile() throws IOException {
        // The client library logs through java.util.logging; P5's 110 clients each warn that this in-process
        // product cannot translate their pid (it is not in a PID namespace of its own): not what P5 measures.
        CLIENT_LOG.setLevel(java.util.logging.Level.SEVERE);
        if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
            Path log = Path.of("target", "benchmark-agent.log").toAbsolutePath();
            Files.createDirectories(log.getParent());
            Files.deleteIfExists(log);
            System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
        }
    }
}
