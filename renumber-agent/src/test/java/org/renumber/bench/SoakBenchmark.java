package org.renumber.bench;

import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.renumber.api.NotificationTypes;
import org.renumber.testing.AgentProcess;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.RemoteJmx;

/**
 * The soak of issue 13: the packaged agent, started by {@code packaging/renumber-agent} with the heap bound the unit
 * runs it with, serves {@code soakSubscribers} subscriptions (default 1,000) whose Subscription MBeans are listened to
 * over {@code soakConnections} remote JMX connections (default 100), while it moves the managed namespace's address
 * back and forth {@code soakChanges} times (default 500; 10 more to warm up). At the start, the middle and the end,
 * once the work in flight has settled (every notification delivered, thread and descriptor counts unchanged for
 * {@link #QUIET}), it prints the heap after a full GC ({@code jcmd PID GC.run}, then {@code java.lang:type=Memory}),
 * the JVM's thread count and its open file descriptors ({@code /proc/PID/fd}), and MISSED when one grew beyond its
 * bound from the middle to the end: the agent's heap grows by design until its bounds are reached
 * ({@link #FILLED_AFTER}, docs/architecture.md "What the agent keeps"), before the middle. Between samples it prints
 * what grew ({@link AgentInsides}: classes, threads, descriptors), and what the listeners received. Asserts nothing.
 * <pre>
 *   mvn -B -ntp -q -pl renumber-agent -am -DskipTests package
 *   mvn -B -ntp -pl renumber-agent -am -Pbenchmark test -Dtest=SoakBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *       [-DsoakChanges=500] [-DsoakSubscribers=1000] [-DsoakConnections=100]
 * </pre>
 */
@Tag(RenumberBenchmark.TAG)
@KernelTest
class SoakBenchmark {

    /**
     * The agent keeps the last {@value #KEPT_EVENTS} change events for {@code pendingEvents} (docs/architecture.md,
     * Delivery), {@value #EVENTS_PER_CHANGE} a change (started, drained, completed): its heap grows until
     * {@value #FILLED_AFTER} changes are done, counting the warm-up. The other bounds (the JMX notification buffer,
     * the last 50 finished changes) fill sooner.
     */
    static final int KEPT_EVENTS = 512;
    static final int EVENTS_PER_CHANGE = 3;
    static final int FILLED_AFTER = (KEPT_EVENTS + EVENTS_PER_CHANGE - 1) / EVENTS_PER_CHANGE;
    /** Growth from the middle to the end that counts as a leak (the middle is past {@link #FILLED_AFTER}). */
    static final long HEAP_BOUND_MIB = 8;
    static final int THREAD_BOUND = 5;
    static final int FD_BOUND = 10;
    private static final int WARMUP = 10;
    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String NEW = "10.9.0.7";
    /** How long the thread and descriptor counts must stay unchanged before a sample. */
    private static final Duration QUIET = Duration.ofSeconds(20);

    private final Map<String, LongAdder> received = new ConcurrentHashMap<>();

    /** One sample of the agent JVM. */
    private record Figures(String when, int changes, long heapAfterGcKiB, long heapMaxKiB, int threads, int fds,
                           long rssKiB, AgentInsides insides) {
    }

    @Test
    void soak() throws Exception {
        int subscribers = intProperty("soakSubscribers", 1_000);
        int changes = intProperty("soakChanges", 500);
        int connections = Math.min(intProperty("soakConnections", 100), subscribers);
        try (NetNsFixture net = NetNsFixture.create("rn-bench-soak-")) {
            Path dir = Files.createTempDirectory("rn-bench-soak-");
            Path jolokia = Files.writeString(dir.resolve("jolokia.properties"), "host=127.0.0.1\nport=0\n");
            long started = System.nanoTime();
            try (AgentProcess agent = AgentProcess.startWithLauncher(dir.resolve("state"), "--netns", net.a(),
                    "--jolokia-config", jolokia.toString(), "--hooks-dir", dir.resolve("no-hooks").toString());
                 RemoteJmx operator = agent.jmx()) {
                List<RemoteJmx> listeners = listen(agent, operator, subscribers, connections);
                try {
                    String[] addresses = {NetNsFixture.ADDRESS_A, NEW};
                    int done = 0;
                    for (; done < WARMUP; done++) {
                        change(operator, addresses, done);
                    }
                    List<Figures> figures = new ArrayList<>();
                    figures.add(sample(agent, operator, "start", done, subscribers));
                    for (; done < WARMUP + changes / 2; done++) {
                        change(operator, addresses, done);
                    }
                    figures.add(sample(agent, operator, "middle", done, subscribers));
                    for (; done < WARMUP + changes; done++) {
                        change(operator, addresses, done);
                    }
                    figures.add(sample(agent, operator, "end", done, subscribers));
                    report(figures, subscribers, connections, done, started);
                } finally {
                    for (RemoteJmx listener : listeners) {
                        listener.close();
                    }
                }
            } finally {
                NetNsFixture.run("rm", "-rf", dir.toString());
            }
        }
    }

    /** Subscribes {@code subscribers} ids and spreads listeners to their MBeans over {@code connections}. */
    private List<RemoteJmx> listen(AgentProcess agent, RemoteJmx operator, int subscribers, int connections)
            throws Exception {
        List<RemoteJmx> listeners = new ArrayList<>();
        NotificationListener counter = (notification, handback) ->
                received.computeIfAbsent(notification.getType(), t -> new LongAdder()).increment();
        for (int c = 0; c < connections; c++) {
            listeners.add(agent.jmx());
        }
        for (int i = 0; i < subscribers; i++) {
            String id = "soak-" + i;
            operator.invoke(SERVICE, "subscribe", id, "soak", "");
            listeners.get(i % connections).connection().addNotificationListener(
                    new ObjectName("renumber:type=Subscription,id=" + id), counter, null, null);
        }
        return listeners;
    }

    /** Notifications travel on after awaitChange returns: wait for the last, but report whatever came. */
    private void awaitDelivery(long expected) {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> count(NotificationTypes.CHANGE_COMPLETED)
                    >= expected);
        } catch (ConditionTimeoutException e) {
            // reported as MISSED
        }
    }

    private long count(String type) {
        return received.getOrDefault(type, new LongAdder()).sum();
    }

    private static void change(RemoteJmx operator, String[] addresses, int n) throws Exception {
        String from = addresses[n % 2];
        String to = addresses[(n + 1) % 2] + "/" + NetNsFixture.PREFIX;
        String id = (String) operator.invoke(SERVICE, "changeAddress", NetNsFixture.IF_A, from, to, "", 60L);
        Object end = operator.invoke(SERVICE, "awaitChange", id, 120L);
        if (!"COMPLETED".equals(String.valueOf(end))) {
            throw new IllegalStateException("change " + n + " (" + id + ") ended " + end);
        }
    }

    /**
     * Samples once the work in flight has settled: every notification of the {@code done} changes delivered, then
     * the thread and descriptor counts unchanged for {@link #QUIET} (the RMI connections a burst of calls opens
     * close after 15 s idle, {@code sun.rmi.transport.connectionTimeout}, and their threads end with them).
     */
    private Figures sample(AgentProcess agent, RemoteJmx operator, String when, int done, int subscribers)
            throws Exception {
        long pid = agent.pid();
        awaitDelivery((long) done * subscribers);
        Quiet quiet = new Quiet(pid);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(quiet::settled);
        } catch (ConditionTimeoutException e) {
            System.out.printf(Locale.ROOT, "%s: threads and descriptors still changing after 120 s%n", when);
        }
        AgentInsides insides = AgentInsides.of(pid);
        run("jcmd", Long.toString(pid), "GC.run");
        MemoryUsage heap = MemoryUsage.from((CompositeData) operator.get("java.lang:type=Memory", "HeapMemoryUsage"));
        int threads = ((Number) operator.get("java.lang:type=Threading", "ThreadCount")).intValue();
        int fds;
        try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = (int) list.count();
        }
        long rss = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                .findFirst().orElse(-1L);
        return new Figures(when, done - WARMUP, heap.getUsed() >> 10, heap.getMax() >> 10, threads, fds, rss,
                insides);
    }

    private void report(List<Figures> figures, int subscribers, int connections, int changes, long started) {
        System.out.printf(Locale.ROOT, "Soak: %,d subscriptions listened to on %d remote JMX connections, %,d changes "
                + "back and forth (%d of them warm-up), %.0f s%n", subscribers, connections, changes, WARMUP,
                (System.nanoTime() - started) / 1e9);
        System.out.printf(Locale.ROOT, "%-8s %8s %18s %11s %10s %8s %6s %10s%n", "when", "changes",
                "heap after GC (MiB)", "live (MiB)", "max (MiB)", "threads", "fds", "RSS (MiB)");
        // Judged from the middle: by then every designed bound is reached (see the class comment), so what still
        // grows from the middle to the end is a leak. From the start is printed too, for what it shows.
        Figures middle = figures.get(figures.size() / 2);
        for (Figures f : figures) {
            List<String> missed = f.changes > middle.changes ? grewBeyondBounds(middle, f) : List.of();
            System.out.printf(Locale.ROOT, "%-8s %8d %18.1f %11.1f %10.0f %8d %6d %10.1f%s%n", f.when, f.changes,
                    f.heapAfterGcKiB / 1024.0, f.insides.liveBytes() / 1048576.0, f.heapMaxKiB / 1024.0, f.threads,
                    f.fds, f.rssKiB / 1024.0,
                    missed.isEmpty() ? "" : "   MISSED: " + String.join(", ", missed));
        }
        boolean bounded = middle.changes + WARMUP >= FILLED_AFTER;
        System.out.printf(Locale.ROOT, "judged from the middle to the end: live heap +%d MiB, threads +%d, "
                + "descriptors +%d at most%n", HEAP_BOUND_MIB, THREAD_BOUND, FD_BOUND);
        System.out.printf(Locale.ROOT, "  live: what GC.class_histogram counts right after its full GC (the heap after "
                + "GC read over JMX later also holds what was allocated in between)%n");
        System.out.printf(Locale.ROOT, "  each sample taken once the listeners had every notification (or 60 s "
                + "passed) and the thread and descriptor counts had stayed unchanged for %d s%n", QUIET.toSeconds());
        System.out.printf(Locale.ROOT, "  the middle is %s the %d changes that fill the agent's designed bounds (%d "
                + "kept change events, %d a change)%s%n", bounded ? "past" : "NOT past", FILLED_AFTER, KEPT_EVENTS,
                EVENTS_PER_CHANGE, bounded ? "" : ": run more changes for a verdict");
        for (int i = 1; i < figures.size(); i++) {
            Figures from = figures.get(i - 1);
            Figures to = figures.get(i);
            System.out.printf(Locale.ROOT, "what grew from %s to %s:%n", from.when, to.when);
            to.insides.growthSince(from.insides, 15).forEach(System.out::println);
        }
        long expected = (long) changes * subscribers;
        for (String type : new java.util.TreeSet<>(received.keySet())) {
            long got = count(type);
            System.out.printf(Locale.ROOT, "%s received by the listeners: %,d of %,d%s%n", type, got, expected,
                    got == expected ? "" : "   MISSED");
        }
    }

    /** The JVM's threads and descriptors as /proc counts them; settled once unchanged for {@link #QUIET}. */
    private static final class Quiet {
        private final long pid;
        private String last = "";
        private long since = System.nanoTime();

        Quiet(long pid) {
            this.pid = pid;
        }

        boolean settled() throws IOException {
            String now = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("Threads:")).findFirst().orElse("") + " fds "
                    + AgentInsides.descriptors(pid).values().stream().mapToInt(Integer::intValue).sum();
            if (!now.equals(last)) {
                last = now;
                since = System.nanoTime();
            }
            return System.nanoTime() - since >= QUIET.toNanos();
        }
    }

    private static List<String> grewBeyondBounds(Figures from, Figures to) {
        List<String> missed = new ArrayList<>();
        if (to.insides.liveBytes() - from.insides.liveBytes() > HEAP_BOUND_MIB << 20) {
            missed.add("live heap grew more than " + HEAP_BOUND_MIB + " MiB from the " + from.when);
        }
        if (to.threads - from.threads > THREAD_BOUND) {
            missed.add("threads grew by more than " + THREAD_BOUND + " from the " + from.when);
        }
        if (to.fds - from.fds > FD_BOUND) {
            missed.add("descriptors grew by more than " + FD_BOUND + " from the " + from.when);
        }
        return missed;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(List.of(command) + " failed: " + output);
        }
    }

    private static int intProperty(String name, int fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip().replace("_", ""));
    }
}
