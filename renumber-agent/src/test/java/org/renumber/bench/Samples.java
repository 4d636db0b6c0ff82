package org.renumber.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Durations in nanoseconds, summarised with nearest-rank percentiles and printed in milliseconds. */
final class Samples {

    private final String name;
    private final List<Long> nanos = new ArrayList<>();

    Samples(String name) {
        this.name = name;
    }

    void add(long durationNanos) {
        nanos.add(durationNanos);
    }

    String name() {
        return name;
    }

    int size() {
        return nanos.size();
    }

    boolean isEmpty() {
        return nanos.isEmpty();
    }

    /** Nearest-rank percentile: with 20 samples p99 is the largest one. */
    long percentile(double p) {
        if (nanos.isEmpty()) {
            throw new IllegalStateException("no samples for " + name);
        }
        long[] sorted = sorted();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    long median() {
        return percentile(50);
    }

    long min() {
        return sorted()[0];
    }

    long max() {
        long[] sorted = sorted();
        return sorted[sorted.length - 1];
    }

    int countAtLeast(long thresholdNanos) {
        return (int) nanos.stream().filter(n -> n >= thresholdNanos).count();
    }

    /** Every sample in the order taken, in milliseconds. */
    String all() {
        return nanos.stream().map(Samples::ms).collect(Collectors.joining(", "));
    }

    private long[] sorted() {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    static String ms(long nanos) {
        double ms = nanos / 1_000_000.0;
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.3f", ms);
        }
        if (ms < 100) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        return String.format(Locale.ROOT, "%.1f", ms);
    }
}
