package org.renumber.bench;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;
import org.renumber.api.NotificationTypes;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeState;
import org.renumber.domain.EventType;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.port.ChangeListener;
import org.renumber.domain.port.KernelPorts;
import org.renumber.jmx.JmxAdapter;
import org.renumber.journal.FileJournal;
import org.renumber.journal.MonitorSettingsFile;
import org.renumber.journal.ServiceSettingsFile;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.NetlinkNetworkControl;
import org.renumber.linux.NftablesGuard;
import org.renumber.linux.RtnetlinkAddressEvents;
import org.renumber.linux.SockDiagConnectionTracker;
import org.renumber.linux.SockDiagSocketInventory;
import org.renumber.linux.SockDiagSocketKiller;
import org.renumber.monitor.InterfaceMonitor;
import org.renumber.service.AddressChangeService;
import org.renumber.service.SubscriberRegistry;
import org.renumber.testing.NetNsFixture;

/**
 * The performance benchmark (issue 2, "Benchmark"). Prints figures; asserts nothing about speed.
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
 * The product is wired as the agent wires it ({@code Agent}): {@link NetlinkNetworkControl},
 * {@link SockDiagConnectionTracker}, a {@link FileJournal} in {@code target/benchmark-state} (fsyncs included),
 * {@link SubscriberRegistry} with 10 subscribers, {@link AddressChangeService} and the {@link JmxAdapter} on
 * the platform MBeanServer; only a pass-through {@link TimedTracker} sits between service and tracker to
 * timestamp the tracker's counts. Every timestamp is {@link System#nanoTime()} in this JVM.
 * <ul>
 *   <li>P1: {@code tracker.sockets(target)} and {@code countConnections(target)} in-process, next to spawning
 *       {@code ss -Htn src TARGET} from a thread inside A (the child inherits the thread's namespace), in
 *       interleaved rounds after a warm-up; medians and their ratio.
 *   <li>P2: a change of the target address runs through the service while the 10 target connections are held;
 *       once the drain watch is open, the peers close their ends, then this JVM closes its ends. Measured:
 *       nanoTime just before the last close() call, to the DRAINED event from the service (and, as a
 *       breakdown, to the tracker reporting 0, and DRAINED -> COMPLETED). Two modes: "burst" closes the 10
 *       back to back (recounts started by the first closes may still be running at the last one); "last
 *       alone" closes 9 before requesting the change, so the watch opens on 1 and its close is the only event.
 *   <li>P3: complete changes with no connection on the target and 10 subscribers: changeAddress() to the
 *       COMPLETED event, and to the completed notification reaching all 10 Subscription MBeans.
 *   <li>P4: renumberings done by hand on a second interface of A, as {@code ip} does them (primary removed, new
 *       address added, old one re-added as alias), through the product's netlink calls so the step that
 *       completes the pattern is timestamped: nanoTime just before that call, to the InterfaceMonitor's
 *       detection (the change adopted, {@code renumber.interface.changed}), to the STARTED event, and to
 *       COMPLETED (with AutoRemoveAlias on, the agent removes the alias once no connection uses it).
 * </ul>
 * Properties (-D on the mvn command line): {@code n} (connections, default 10000), {@code changes} (per P2
 * mode, default 20), {@code p1runs} (50), {@code ssruns} (20), {@code p3runs} (7), {@code p4runs} (20),
 * {@code warmups} (2 changes).
 * The product's log goes to {@code target/benchmark-agent.log} unless {@code org.slf4j.simpleLogger.logFile}
 * is set.
 */
@Tag(RenumberBenchmark.TAG)
class RenumberBenchmark {

    static final String TAG = "benchmark";
    static final int TARGET_CONNECTIONS = 10;
    static final int SUBSCRIBERS = 10;
    private static final long PATIENCE_SECONDS = 60;
    /** The interface of A that P4 renumbers by hand, away from the target and load addresses. */
    private static final String HAND_INTERFACE = "hand0";
    /** The InterfaceMonitor's window during P4: short, since the setup waits it out once. */
    private static final Duration HAND_WINDOW = Duration.ofSeconds(1);

    private final Config config = Config.fromSystemProperties();
    private final PrintStream out = System.out;
    private final List<Row> rows = new ArrayList<>();
    private final EventTimes events = new EventTimes();
    private final List<InetAddress> addressPool = new ArrayList<>();
    private int nextAddress;
    private int slowDrains;
    private InetAddress target = IpLiterals.parse(NetNsFixture.ADDRESS_A);

    private LoadNetwork network;
    private Product product;

    @Test
    void benchmark() throws Exception {
        routeProductLogToFile();
        for (int i = 3; i <= 254; i++) {
            addressPool.add(IpLiterals.parse("10.9.0." + i));
        }
        addressPool.add(IpLiterals.parse(NetNsFixture.ADDRESS_A));
        out.printf("Renumber benchmark: N = %,d established TCP connections in the managed namespace, %d of them on "
                + "the target address%n", config.connections, TARGET_CONNECTIONS);
        long start = System.nanoTime();
        try {
            network = LoadNetwork.create(config.connections - TARGET_CONNECTIONS, out);
            product = Product.wire(network.managedNamespace(), events);
            LoadNetwork.Connections held = network.connect(target, TARGET_CONNECTIONS);
            long setupMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            printContext(setupMillis);
            try (held) {
                measureLookup();
            }
            for (int i = 0; i < config.warmups; i++) {
                drainOnce(DrainMode.BURST, null, null, null);
            }
            measureDrain(DrainMode.BURST);
            measureDrain(DrainMode.LAST_ALONE);
            measureCompleteChange();
            measureHandRenumbering();
            printTable();
        } finally {
            LoadNetwork.closeQuietly(product);
            LoadNetwork.closeQuietly(network);
            out.printf("total run time %.1f s (setup, measurements, cleanup)%n", (System.nanoTime() - start) / 1e9);
        }
    }

    // ---------------------------------------------------------------- P1

    private void measureLookup() throws Exception {
        SockDiagConnectionTracker tracker = product.sockDiag;
        List<SocketEntry> found = tracker.sockets(target);
        int count = tracker.countConnections(target);
        int ssLines = spawnSs().lines;
        if (count != TARGET_CONNECTIONS || ssLines != TARGET_CONNECTIONS) {
            throw new IllegalStateException("expected " + TARGET_CONNECTIONS + " connections on " + host(target)
                    + ": tracker lists " + found.size() + " sockets / counts " + count + ", ss printed " + ssLines
                    + " lines");
        }
        for (int i = 0; i < 10; i++) { // warm-up: JIT, netlink buffers, page cache of ss
            tracker.sockets(target);
            tracker.countConnections(target);
            if (i < 3) {
                spawnSs();
            }
        }
        Samples sockets = new Samples("tracker.sockets(" + host(target) + "), in-process");
        Samples counts = new Samples("tracker.countConnections(" + host(target) + "), in-process");
        Samples ss = new Samples("`ss -Htn src " + host(target) + "` spawned inside A");
        int rounds = Math.max(1, config.ssRuns);
        for (int round = 0; round < rounds; round++) {
            // Interleaved so that load from other processes on the machine hits both sides alike.
            int share = config.p1Runs / rounds + (round < config.p1Runs % rounds ? 1 : 0);
            for (int i = 0; i < share; i++) {
                long t0 = System.nanoTime();
                tracker.sockets(target);
                long t1 = System.nanoTime();
                tracker.countConnections(target);
                long t2 = System.nanoTime();
                sockets.add(t1 - t0);
                counts.add(t2 - t1);
            }
            if (round < config.ssRuns) {
                ss.add(spawnSs().nanos);
            }
        }
        rows.add(Row.of("P1", sockets, "<= ss"));
        rows.add(Row.of("P1", counts, "<= ss"));
        rows.add(Row.of("P1", ss, ""));
        double ratio = (double) ss.median() / sockets.median();
        rows.add(Row.text("P1", "ratio: ss median / tracker.sockets median", "",
                String.format(Locale.ROOT, "%.1fx", ratio), ">= 1x"));
    }

    private record SsRun(long nanos, int lines) {
    }

    /** Spawns ss from the thread inside A (posix_spawn: the child starts in the thread's namespace). */
    private SsRun spawnSs() {
        String address = host(target);
        return network.inA().call(() -> {
            long t0 = System.nanoTime();
            Process process = new ProcessBuilder("ss", "-Htn", "src", address).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = process.waitFor();
            long nanos = System.nanoTime() - t0;
            if (status != 0) {
                throw new IllegalStateException("ss exited with " + status + ": " + output);
            }
            return new SsRun(nanos, (int) output.lines().filter(l -> !l.isBlank()).count());
        });
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
        for (int i = 0; i < config.changes; i++) {
            drainOnce(mode, drained, zero, removal);
        }
        slowDrains += drained.countAtLeast(TimeUnit.SECONDS.toNanos(1));
        rows.add(Row.of("P2", drained, "p99 < 5 ms"));
        rows.add(Row.of("P2", zero, ""));
        rows.add(Row.of("P2", removal, ""));
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
            get(probe.opened, "the drain watch of change " + id);
            int first = get(probe.firstCount, "the first count of change " + id);
            if (first != TARGET_CONNECTIONS - early) {
                throw new IllegalStateException("change " + id + " started draining " + first + " connections, expected "
                        + (TARGET_CONNECTIONS - early));
            }
            long closedAt = closeBothEnds(servers.subList(early, servers.size()), clients.subList(early, clients.size()));
            long drainedAt = get(events.at(id, EventType.DRAINED), "DRAINED of change " + id);
            long zeroAt = get(probe.zeroAt, "the tracker to report 0 on " + host(old));
            EventTimes.Final end = get(events.end(id), "the end of change " + id);
            if (end.type() != EventType.COMPLETED) {
                throw new IllegalStateException("change " + id + " ended with " + end.type() + " instead of COMPLETED: "
                        + product.service.change(id).map(c -> c.error()).orElse("?"));
            }
            awaitFinished(id);
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
        Samples completed = new Samples("changeAddress() -> COMPLETED event, 0 connections, " + SUBSCRIBERS + " subscribers");
        Samples notified = new Samples("  changeAddress() -> completed notification on all " + SUBSCRIBERS
                + " Subscription MBeans");
        for (int i = 0; i < config.p3Runs; i++) {
            InetAddress old = target;
            InetAddress fresh = nextAddress();
            if (product.sockDiag.countConnections(old) != 0) {
                throw new IllegalStateException("connections left on " + host(old));
            }
            long requested = System.nanoTime();
            String id = product.service.changeAddress(NetNsFixture.IF_A, host(old),
                    host(fresh) + "/" + NetNsFixture.PREFIX, "", PATIENCE_SECONDS);
            EventTimes.Final end = get(events.end(id), "the end of change " + id);
            if (end.type() != EventType.COMPLETED) {
                throw new IllegalStateException("change " + id + " ended with " + end.type());
            }
            long allNotified = get(product.notifiedAll(id), "the notifications of change " + id);
            awaitFinished(id);
            completed.add(end.at() - requested);
            notified.add(allNotified - requested);
            target = fresh;
        }
        rows.add(Row.of("P3", completed, "< 50 ms"));
        rows.add(Row.of("P3", notified, ""));
        rows.add(Row.text("P3", "  every run (ms): " + completed.all(), "", "", ""));
    }

    // ---------------------------------------------------------------- P4

    private void measureHandRenumbering() throws Exception {
        // A veth pair inside A (this kernel has no dummy driver); only one end is renumbered.
        network.ipInManaged("link", "add", HAND_INTERFACE, "type", "veth", "peer", "name", HAND_INTERFACE + "p");
        network.ipInManaged("link", "set", HAND_INTERFACE, "up");
        network.ipInManaged("link", "set", HAND_INTERFACE + "p", "up");
        // Each run renumbers its own subnet: the monitor ignores the addresses of the agent's changes for a window
        // after they end, so a run must not reuse the previous run's addresses. An old address must also have been
        // configured before the window of its steps, so the setup waits one (short) window out.
        int runs = config.warmups + config.p4Runs;
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
            CompletableFuture<Detection> detection = product.nextDetection();
            product.network.removeAddress(HAND_INTERFACE, old);
            product.network.addAddress(HAND_INTERFACE, handAddress(i, 2));
            long lastStep = System.nanoTime();
            product.network.addAddress(HAND_INTERFACE, old);
            Detection seen = get(detection, "the detection of hand renumbering " + i);
            if (seen.changeId() == null) {
                throw new IllegalStateException("hand renumbering " + i + " detected but not adopted: " + seen.error());
            }
            long startedAt = get(events.at(seen.changeId(), EventType.STARTED), "STARTED of " + seen.changeId());
            EventTimes.Final end = get(events.end(seen.changeId()), "the end of change " + seen.changeId());
            if (end.type() != EventType.COMPLETED) {
                throw new IllegalStateException("change " + seen.changeId() + " ended with " + end.type());
            }
            awaitFinished(seen.changeId());
            if (i > config.warmups) {
                detected.add(seen.at() - lastStep);
                started.add(startedAt - lastStep);
                completed.add(end.at() - lastStep);
            }
        }
        rows.add(Row.of("P4", detected, ""));
        rows.add(Row.of("P4", started, ""));
        rows.add(Row.of("P4", completed, ""));
    }

    private static InterfaceAddress handAddress(int subnet, int host) {
        return InterfaceAddress.parse("10.10." + subnet + "." + host + "/24");
    }

    /** A renumbering the InterfaceMonitor recognised, and when: nanoTime on the monitor's thread. */
    private record Detection(String changeId, String error, long at) {
    }

    // ---------------------------------------------------------------- output

    private void printContext(long setupMillis) {
        int inA = LoadNetwork.tcpInUse(network.inA());
        int inB = LoadNetwork.tcpInUse(network.inB());
        int host = LoadNetwork.tcpInUse(null);
        out.printf("machine: %d CPUs, %s %s, Java %s; figures are noisy when other work runs on the machine%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"));
        out.printf("namespaces: managed %s (target %s on %s), peers %s; deleted at the end%n",
                network.managedNamespace(), host(target), NetNsFixture.IF_A, network.peerNamespace());
        out.printf("TCP sockets in use: A %,d, B %,d, host namespace %,d (the sock_diag dump walks the kernel's "
                + "one shared table: all of them)%n", inA, inB, host);
        out.printf("setup: %,d ms (namespaces %,d ms; %,d load connections from %d source addresses by %d holder "
                + "JVMs in %,d ms)%n", setupMillis, network.namespacesMillis(), config.connections - TARGET_CONNECTIONS,
                network.loadSources(), network.holderCount(), network.connectMillis());
        out.printf("journal: %s (%s); product log: %s%n", product.stateDir, fileStore(product.stateDir),
                System.getProperty("org.slf4j.simpleLogger.logFile", "stderr"));
        out.flush();
    }

    private void printTable() {
        out.println();
        out.printf("%-4s %-78s %5s %10s %10s %10s %10s  %s%n", "", "figure (milliseconds)", "runs", "min", "median",
                "p99", "max", "target");
        String previous = "";
        for (Row row : rows) {
            if (!row.part.equals(previous)) {
                out.println("-".repeat(148));
                previous = row.part;
            }
            out.printf("%-4s %-78s %5s %10s %10s %10s %10s  %s%n", row.part, row.name, row.runs, row.min, row.median,
                    row.p99, row.max, row.target);
        }
        out.println("-".repeat(148));
        out.printf("N = %,d; P2: %d changes per mode after %d warm-up change(s); nearest-rank percentiles (with 20 "
                + "runs p99 is the max)%n", config.connections, config.changes, config.warmups);
        if (slowDrains > 0) {
            out.printf("%d P2 sample(s) took 1 s or more: the drain was noticed by the tracker's %d s safety timer, "
                    + "not by a socket-destroy event%n", slowDrains,
                    SockDiagConnectionTracker.DEFAULT_SAFETY_INTERVAL.toSeconds());
        }
        out.println("Noise: a 2-vCPU VM shared with other builds and tests; compare figures within one run.");
        out.flush();
    }

    private record Row(String part, String name, String runs, String min, String median, String p99, String max,
                       String target) {
        static Row of(String part, Samples samples, String target) {
            return new Row(part, samples.name(), Integer.toString(samples.size()), Samples.ms(samples.min()),
                    Samples.ms(samples.median()), Samples.ms(samples.percentile(99)), Samples.ms(samples.max()), target);
        }

        static Row text(String part, String name, String runs, String median, String target) {
            return new Row(part, name, runs, "", median, "", "", target);
        }
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

    /**
     * The COMPLETED event is published before the service stops counting the change as active, so a change
     * requested right on that event can still be refused as "already running"; awaitChange returns after.
     */
    private void awaitFinished(String changeId) throws InterruptedException {
        ChangeState state = product.service.awaitChange(changeId, PATIENCE_SECONDS);
        if (!state.isFinal()) {
            throw new IllegalStateException("change " + changeId + " still " + state + " after " + PATIENCE_SECONDS + " s");
        }
    }

    private static String host(InetAddress address) {
        return address.getHostAddress();
    }

    private static <T> T get(CompletableFuture<T> future, String what) throws InterruptedException {
        try {
            return future.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("waited " + PATIENCE_SECONDS + " s for " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("failed waiting for " + what, e.getCause());
        }
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
        if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
            Path log = Path.of("target", "benchmark-agent.log").toAbsolutePath();
            Files.createDirectories(log.getParent());
            Files.deleteIfExists(log);
            System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
        }
    }

    /** Benchmark parameters from system properties (Maven passes -D values on to the test JVM). */
    record Config(int connections, int changes, int p1Runs, int ssRuns, int p3Runs, int p4Runs, int warmups) {
        static Config fromSystemProperties() {
            Config config = new Config(intProperty("n", 10_000), intProperty("changes", 20), intProperty("p1runs", 50),
                    intProperty("ssruns", 20), intProperty("p3runs", 7), intProperty("p4runs", 20),
                    intProperty("warmups", 2));
            if (config.connections < TARGET_CONNECTIONS) {
                throw new IllegalArgumentException("-Dn must be at least " + TARGET_CONNECTIONS);
            }
            if (config.changes < 1 || config.p1Runs < 1 || config.ssRuns < 1 || config.p3Runs < 1 || config.p4Runs < 1
                    || config.p4Runs > 200 || config.warmups < 0) {
                throw new IllegalArgumentException("run counts must be positive: " + config);
            }
            return config;
        }

        private static int intProperty(String name, int fallback) {
            String value = System.getProperty(name);
            return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip().replace("_", ""));
        }
    }

    /** nanoTime of each event of each change, taken on the workflow thread as the service publishes it. */
    private static final class EventTimes implements ChangeListener {

        record Final(EventType type, long at) {
        }

        private final Map<String, CompletableFuture<Long>> times = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<Final>> ends = new ConcurrentHashMap<>();

        @Override
        public void event(ChangeEvent event) {
            long now = System.nanoTime();
            String id = event.change().id();
            at(id, event.type()).complete(now);
            if (event.change().state().isFinal()) {
                end(id).complete(new Final(event.type(), now));
            }
        }

        CompletableFuture<Long> at(String changeId, EventType type) {
            return times.computeIfAbsent(changeId + "/" + type, k -> new CompletableFuture<>());
        }

        CompletableFuture<Final> end(String changeId) {
            return ends.computeIfAbsent(changeId, k -> new CompletableFuture<>());
        }
    }

    /** The product, assembled as {@code Agent} assembles it, minus the remote endpoints. */
    private static final class Product implements AutoCloseable {
        private final List<AutoCloseable> resources = new ArrayList<>();
        private final Map<String, AtomicInteger> completedNotifications = new ConcurrentHashMap<>();
        private final Map<String, CompletableFuture<Long>> allNotified = new ConcurrentHashMap<>();
        private final List<ObjectName> listenedTo = new ArrayList<>();
        private final NotificationListener subscriberListener = this::onSubscriberNotification;
        private final AtomicReference<CompletableFuture<Detection>> detection =
                new AtomicReference<>();
        private MBeanServer mbeans;
        private NetlinkNetworkControl network;
        private InterfaceMonitor monitor;
        private SockDiagConnectionTracker sockDiag;
        private TimedTracker timed;
        private AddressChangeService service;
        private Path stateDir;

        static Product wire(String namespace, ChangeListener events) throws Exception {
            Product product = new Product();
            try {
                product.assemble(namespace, events);
                return product;
            } catch (Exception | Error e) {
                product.close();
                throw e;
            }
        }

        private void assemble(String namespace, ChangeListener events) throws Exception {
            LinuxNetns netns = keep(LinuxNetns.open(namespace));
            network = keep(new NetlinkNetworkControl(netns));
            sockDiag = keep(new SockDiagConnectionTracker(netns));
            timed = new TimedTracker(sockDiag);
            // Under target/ (same disk as the build, fsyncs are real), emptied first: a killed run leaves nothing elsewhere.
            stateDir = Path.of("target", "benchmark-state").toAbsolutePath();
            deleteTree(stateDir);
            FileJournal journal = new FileJournal(stateDir);
            SubscriberRegistry subscribers = new SubscriberRegistry(journal);
            KernelPorts kernel = new KernelPorts(network, timed, new NftablesGuard(netns),
                    keep(new SockDiagSocketKiller(netns)));
            service = keep(new AddressChangeService(kernel, journal, new ServiceSettingsFile(stateDir), subscribers,
                    Clock.systemUTC()));
            mbeans = ManagementFactory.getPlatformMBeanServer();
            keep(JmxAdapter.export(mbeans, service, sockDiag, keep(new SockDiagSocketInventory(netns))));
            service.start();
            service.addListener(events); // after the JMX adapter: its publishing is part of the measured path
            monitor = keep(new InterfaceMonitor(new RtnetlinkAddressEvents(netns, Clock.systemUTC()), service, sockDiag,
                    new MonitorSettingsFile(stateDir), Clock.systemUTC()));
            monitor.addListener(new InterfaceMonitor.Listener() {
                @Override
                public void renumberingDetected(InterfaceMonitor.DetectedChange detected) {
                    long now = System.nanoTime();
                    CompletableFuture<Detection> waiting = detection.getAndSet(null);
                    if (waiting != null) {
                        waiting.complete(new Detection(detected.changeId(), detected.error(), now));
                    }
                }
            });
            monitor.start();
            for (int i = 1; i <= SUBSCRIBERS; i++) {
                String id = "bench-" + i;
                subscribers.subscribe(id, "bench", "");
                ObjectName name = MBeanNames.subscription(id);
                mbeans.addNotificationListener(name, subscriberListener, null, id);
                listenedTo.add(name);
            }
        }

        private void onSubscriberNotification(Notification notification, Object handback) {
            if (!NotificationTypes.CHANGE_COMPLETED.equals(notification.getType())
                    || !(notification.getUserData() instanceof CompositeData data)) {
                return;
            }
            long now = System.nanoTime();
            String changeId = String.valueOf(data.get("changeId"));
            int seen = completedNotifications.computeIfAbsent(changeId, k -> new AtomicInteger()).incrementAndGet();
            if (seen == SUBSCRIBERS) {
                notifiedAll(changeId).complete(now);
            }
        }

        /** The next renumbering the monitor detects. */
        CompletableFuture<Detection> nextDetection() {
            CompletableFuture<Detection> next = new CompletableFuture<>();
            detection.set(next);
            return next;
        }

        CompletableFuture<Long> notifiedAll(String changeId) {
            return allNotified.computeIfAbsent(changeId, k -> new CompletableFuture<>());
        }

        private <T extends AutoCloseable> T keep(T resource) {
            resources.add(resource);
            return resource;
        }

        @Override
        public void close() {
            for (ObjectName name : listenedTo) {
                try {
                    mbeans.removeNotificationListener(name, subscriberListener);
                } catch (Exception e) {
                    // the adapter unregisters the MBean next anyway
                }
            }
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
}
