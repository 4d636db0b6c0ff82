package org.renumber.bench;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.renumber.api.MBeanNames;
import org.renumber.domain.SocketEntry;
import org.renumber.linux.sockdiag.SockDiagConnectionTracker;

/**
 * P1: what finding the connections on one address costs, an in-process Java call of the ConnectionTracker against
 * spawning {@code ss} (process start to exit), and the same count asked over a logged-in JMX connection.
 */
final class Lookup {

    private static final int TARGET_CONNECTIONS = RenumberBenchmark.TARGET_CONNECTIONS;

    private Lookup() {
    }

    static void measure(LoadNetwork network, BenchProduct product, InetAddress target, BenchConfig config,
                        Table table) throws Exception {
        SockDiagConnectionTracker tracker = product.sockDiag;
        List<SocketEntry> found = tracker.sockets(target);
        int count = tracker.countConnections(target);
        int ssLines = spawnSs(network, target).lines;
        if (count != TARGET_CONNECTIONS || ssLines != TARGET_CONNECTIONS) {
            throw new IllegalStateException("expected " + TARGET_CONNECTIONS + " connections on " + host(target)
                    + ": tracker lists " + found.size() + " sockets / counts " + count + ", ss printed " + ssLines
                    + " lines");
        }
        for (int i = 0; i < 10; i++) { // warm-up: JIT, netlink buffers, page cache of ss
            tracker.sockets(target);
            tracker.countConnections(target);
            if (i < 3) {
                spawnSs(network, target);
            }
        }
        Samples sockets = new Samples("tracker.sockets(" + host(target) + "), in-process Java call (socket list)");
        Samples counts = new Samples("tracker.countConnections(" + host(target) + "), in-process Java call");
        Samples overJmx = new Samples("countConnections(" + host(target) + ") on ConnectionTracker over JMX (RMI, "
                + "loopback, logged in)");
        Samples ss = new Samples("`ss -Htn src " + host(target) + "` spawned inside A (process start to exit)");
        JMXConnector connector = JMXConnectorFactory.connect(product.jmxUrl, Map.of(JMXConnector.CREDENTIALS,
                new String[] {product.credentials.user(), product.credentials.password()}));
        MBeanServerConnection jmx = connector.getMBeanServerConnection();
        for (int i = 0; i < 10; i++) {
            jmxCount(jmx, target);
        }
        int rounds = Math.max(1, config.ssRuns());
        for (int round = 0; round < rounds; round++) {
            // Interleaved so that load from other processes on the machine hits both sides alike.
            int share = config.p1Runs() / rounds + (round < config.p1Runs() % rounds ? 1 : 0);
            for (int i = 0; i < share; i++) {
                long t0 = System.nanoTime();
                tracker.sockets(target);
                long t1 = System.nanoTime();
                tracker.countConnections(target);
                long t2 = System.nanoTime();
                sockets.add(t1 - t0);
                counts.add(t2 - t1);
                overJmx.add(jmxCount(jmx, target));
            }
            if (round < config.ssRuns()) {
                ss.add(spawnSs(network, target).nanos);
            }
        }
        connector.close();
        Table.Target beatsSs = Table.Target.medianAtMost("ss median", ss.median());
        table.add("P1", sockets, beatsSs);
        table.add("P1", counts, beatsSs);
        table.add("P1", overJmx, Table.Target.NONE);
        table.add("P1", ss, Table.Target.NONE);
        double ratio = (double) ss.median() / sockets.median();
        table.text("P1", "ratio: ss median / tracker.sockets median (in-process)",
                String.format(Locale.ROOT, "%.1fx", ratio), ">= 1x", ratio >= 1);
        double jmxRatio = (double) ss.median() / overJmx.median();
        table.text("P1", "ratio: ss median / countConnections over JMX median",
                String.format(Locale.ROOT, "%.1fx", jmxRatio), "", true);
    }

    /** countConnections(ADDR) on renumber:type=ConnectionTracker, as an operator's JMX client calls it. */
    private static long jmxCount(MBeanServerConnection jmx, InetAddress target) throws Exception {
        long t0 = System.nanoTime();
        Object count = jmx.invoke(MBeanNames.CONNECTION_TRACKER, "countConnections", new Object[] {host(target)},
                new String[] {String.class.getName()});
        long nanos = System.nanoTime() - t0;
        if (!Integer.valueOf(TARGET_CONNECTIONS).equals(count)) {
            throw new IllegalStateException("countConnections over JMX said " + count + ", expected "
                    + TARGET_CONNECTIONS);
        }
        return nanos;
    }

    private record SsRun(long nanos, int lines) {
    }

    /** Spawns ss from the thread inside A (posix_spawn: the child starts in the thread's namespace). */
    private static SsRun spawnSs(LoadNetwork network, InetAddress target) {
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

    private static String host(InetAddress address) {
        return address.getHostAddress();
    }
}
