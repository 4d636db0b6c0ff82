package org.renumber.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an agent JVM holds at one moment, read with {@code jcmd} and {@code /proc}: its heap by class (after a full
 * GC: {@code GC.class_histogram} collects first), its threads by name and its descriptors by target, numbers folded
 * ({@code RMI TCP Connection(#)}, {@code socket:[#]}) so that two snapshots compare kinds, not instances. The soak
 * prints what grew between two snapshots, so a growth it reports names its cause.
 */
record AgentInsides(Map<String, long[]> classes, Map<String, Integer> threads, Map<String, Integer> descriptors) {

    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern THREAD_LINE = Pattern.compile("^\"(.*?)\"");
    private static final Pattern NUMBERS = Pattern.compile("\\d+");
    private static final Pattern INTERESTING = Pattern.compile("^(javax\\.management|com\\.sun\\.jmx|org\\.renumber)");

    /** Takes a snapshot of the JVM {@code pid}; its histogram runs a full GC first. */
    static AgentInsides of(long pid) throws IOException, InterruptedException {
        Map<String, long[]> classes = new TreeMap<>();
        for (String line : jcmd(pid, "GC.class_histogram")) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.find()) {
                classes.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        }
        return new AgentInsides(classes, threads(jcmd(pid, "Thread.print")), descriptors(pid));
    }

    /** Threads by folded name and where each waits: its first frame in JMX, RMI's transport or the agent. */
    private static Map<String, Integer> threads(List<String> dump) {
        Map<String, Integer> threads = new TreeMap<>();
        String name = null;
        String where = null;
        for (String line : dump) {
            Matcher m = THREAD_LINE.matcher(line);
            if (m.find()) {
                count(threads, name, where);
                name = fold(m.group(1));
                where = null;
            } else if (name != null && line.strip().startsWith("at ")) {
                String frame = line.strip().substring(3).replaceAll("\\(.*", "");
                if (where == null || !INTERESTING.matcher(where).find() && INTERESTING.matcher(frame).find()) {
                    where = frame;
                }
            }
        }
        count(threads, name, where);
        return threads;
    }

    private static void count(Map<String, Integer> threads, String name, String where) {
        if (name != null) {
            threads.merge(where == null ? name : name + " at " + where, 1, Integer::sum);
        }
    }

    /** The open descriptors of {@code pid} by target, numbers folded. */
    static Map<String, Integer> descriptors(long pid) throws IOException {
        Map<String, Integer> descriptors = new TreeMap<>();
        try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) list::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed while listed
                }
                descriptors.merge(fold(target), 1, Integer::sum);
            }
        }
        return descriptors;
    }

    private static String fold(String name) {
        return NUMBERS.matcher(name).replaceAll("#");
    }

    /** The live heap the histogram counted, right after the full GC it ran. */
    long liveBytes() {
        return classes.values().stream().mapToLong(c -> c[1]).sum();
    }

    /** What grew from {@code earlier} to this snapshot: the top classes by bytes, threads, descriptors. */
    List<String> growthSince(AgentInsides earlier, int topClasses) {
        List<String> lines = new ArrayList<>();
        List<Map.Entry<String, long[]>> grown = new ArrayList<>();
        for (Map.Entry<String, long[]> entry : classes.entrySet()) {
            long[] before = earlier.classes.getOrDefault(entry.getKey(), new long[2]);
            grown.add(Map.entry(entry.getKey(), new long[] {entry.getValue()[0] - before[0],
                    entry.getValue()[1] - before[1]}));
        }
        grown.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        long total = grown.stream().mapToLong(e -> e.getValue()[1]).sum();
        lines.add(String.format(Locale.ROOT, "  live heap by class: %+.1f MiB in all; top %d by growth:",
                total / 1048576.0, topClasses));
        for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(topClasses, grown.size()))) {
            lines.add(String.format(Locale.ROOT, "    %+10.1f KiB %+9d instances  %s", e.getValue()[1] / 1024.0,
                    e.getValue()[0], e.getKey()));
        }
        lines.add("  threads by name: " + diff(earlier.threads, threads));
        lines.add("  descriptors by target: " + diff(earlier.descriptors, descriptors));
        return lines;
    }

    private static String diff(Map<String, Integer> before, Map<String, Integer> after) {
        Set<String> names = new HashSet<>(before.keySet());
        names.addAll(after.keySet());
        List<String> changed = new ArrayList<>();
        for (String name : names.stream().sorted().toList()) {
            int delta = after.getOrDefault(name, 0) - before.getOrDefault(name, 0);
            if (delta != 0) {
                changed.add(String.format(Locale.ROOT, "%+d %s (%d)", delta, name, after.getOrDefault(name, 0)));
            }
        }
        return changed.isEmpty() ? "no change" : String.join("; ", changed);
    }

    private static List<String> jcmd(long pid, String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + output);
        }
        return output.lines().toList();
    }
}
