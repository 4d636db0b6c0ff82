package org.renumber.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongPredicate;

/**
 * The benchmark's table: each figure with its target, checked, and MISSED printed next to a figure that misses
 * it. Also what the figures were taken on, read from the machine itself.
 */
final class Table {

    private static final int WIDTH = 160;
    private static final String FORMAT = "%-4s %-80s %5s %10s %10s %10s %10s  %-22s %s%n";

    /** A target a figure is checked against; {@link #NONE} for figures reported without one. */
    record Target(String text, Statistic statistic, LongPredicate met) {
        static final Target NONE = new Target("", null, n -> true);

        static Target p99Below(long millis) {
            return new Target("p99 < " + millis + " ms", Statistic.P99, n -> n < millis * 1_000_000);
        }

        static Target medianAtMost(String what, long nanos) {
            return new Target("median <= " + what, Statistic.MEDIAN, n -> n <= nanos);
        }
    }

    enum Statistic { MEDIAN, P99 }

    private record Row(String part, String name, String runs, String min, String median, String p99, String max,
                       String target, boolean missed) {
    }

    private final List<Row> rows = new ArrayList<>();
    private int missed;

    /** A timing row, checked against {@code target}. */
    void add(String part, Samples samples, Target target) {
        boolean miss = target.statistic() != null && !target.met().test(target.statistic() == Statistic.P99
                ? samples.percentile(99) : samples.median());
        add(new Row(part, samples.name(), Integer.toString(samples.size()), Samples.ms(samples.min()),
                Samples.ms(samples.median()), Samples.ms(samples.percentile(99)), Samples.ms(samples.max()),
                target.text(), miss));
    }

    /** A row with one value in the median column (a ratio, a count), met or not as the caller checked. */
    void text(String part, String name, String value, String target, boolean met) {
        add(new Row(part, name, "", "", value, "", "", target, !met));
    }

    /** {@code delivered} of {@code expected} deliveries, as a percentage; the target is all of them. */
    void delivered(String part, String name, long delivered, long expected) {
        String value = String.format(Locale.ROOT, "%d/%d", delivered, expected);
        text(part, name + String.format(Locale.ROOT, " (%.2f %%)", expected == 0 ? 0.0 : 100.0 * delivered / expected),
                value, "100 %", delivered == expected && expected > 0);
    }

    private void add(Row row) {
        rows.add(row);
        if (row.missed()) {
            missed++;
        }
    }

    void print(PrintStream out) {
        out.println();
        out.printf(FORMAT, "", "figure (milliseconds unless stated)", "runs", "min", "median", "p99", "max",
                "target", "");
        String previous = "";
        for (Row row : rows) {
            if (!row.part().equals(previous)) {
                out.println("-".repeat(WIDTH));
                previous = row.part();
            }
            out.printf(FORMAT, row.part(), row.name(), row.runs(), row.min(), row.median(), row.p99(), row.max(),
                    row.target(), row.missed() ? "MISSED" : "");
        }
        out.println("-".repeat(WIDTH));
        out.println("Percentiles are nearest-rank: p99 of fewer than 100 runs is their max.");
        out.println(missed == 0 ? "Every figure with a target met it." : missed + " figure(s) MISSED their target.");
        out.flush();
    }

    /** What the machine is, read from it: CPUs, model, memory, kernel, Java, and how busy it is now. */
    static String machine() {
        String model = firstValue(Path.of("/proc/cpuinfo"), "model name");
        String memory = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        return String.format(Locale.ROOT, "machine: %d CPUs (%s), memory %s, kernel %s, Java %s %s; %s",
                Runtime.getRuntime().availableProcessors(), model, memory, System.getProperty("os.version"),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), load());
    }

    /** The load averages now (1, 5, 15 minutes), as /proc/loadavg has them. */
    static String load() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return "load average " + fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "load average unknown (" + e.getMessage() + ")";
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith(key)).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
