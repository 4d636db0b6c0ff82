package org.renumber.bench;

import java.util.List;
import java.util.stream.Stream;

/** Benchmark parameters from system properties (Maven passes -D values on to the test JVM). */
record BenchConfig(int connections, int changes, int p1Runs, int ssRuns, int p3Runs, int p4Runs, int warmups,
                   List<Integer> fanOutSizes, int fanOutChanges, int footprintStarts, int keepAliveCalls) {
    static BenchConfig fromSystemProperties() {
        BenchConfig config = new BenchConfig(intProperty("n", 10_000), intProperty("changes", 20),
                intProperty("p1runs", 50), intProperty("ssruns", 20), intProperty("p3runs", 7), intProperty("p4runs", 20),
                intProperty("warmups", 2), sizes(System.getProperty("p5sizes", "1000,10000")),
                intProperty("p5changes", 20), intProperty("p6starts", 5), intProperty("p6calls", 1000));
        if (config.connections < RenumberBenchmark.TARGET_CONNECTIONS) {
            throw new IllegalArgumentException("-Dn must be at least " + RenumberBenchmark.TARGET_CONNECTIONS);
        }
        if (config.changes < 1 || config.p1Runs < 1 || config.ssRuns < 1 || config.p3Runs < 1 || config.p4Runs < 1
                || config.p4Runs > 200 || config.warmups < 0 || config.fanOutChanges < 1 || config.footprintStarts < 0 || config.keepAliveCalls < 1
                || config.fanOutSizes.stream().anyMatch(size -> size < 220)) {
            throw new IllegalArgumentException("run counts must be positive: " + config);
        }
        return config;
    }

    private static List<Integer> sizes(String list) {
        return list.isBlank() ? List.of() : Stream.of(list.split(",")).map(String::strip)
                .map(v -> Integer.parseInt(v.replace("_", ""))).toList();
    }

    private static int intProperty(String name, int fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip().replace("_", ""));
    }
}
