package org.renumber.monitor;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.MonitorSettings;
import org.renumber.testing.MutableClock;

/**
 * What the detector tests share: a detector on a hand-moved clock whose connection counts and busy addresses the test
 * sets, the findings it reported, and steps written as the kernel reports them: {@code "del 10.9.0.1/24 v0"},
 * {@code "add 10.9.0.1/24 v0:0"}, {@code "add 10.9.0.7/24 v0 secondary"}, optionally prefixed with the interface
 * ({@code "v1 add 10.9.1.1/24 v1"}).
 */
abstract class DetectorFixture {

    static final Duration WINDOW = Duration.ofSeconds(10);
    static final String OLD = "10.9.0.1";
    static final String NEW = "10.9.1.1";

    final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
    final Map<InetAddress, Integer> connections = new HashMap<>();
    final List<InetAddress> counted = new ArrayList<>();
    final List<Duration> busyAskedFor = new ArrayList<>();
    Set<InetAddress> busy = Set.of();
    /** Counts that a test answers later; the others are answered at once. */
    final Map<InetAddress, CompletableFuture<Integer>> slowCounts = new HashMap<>();
    final RenumberingDetector detector = new RenumberingDetector(WINDOW, MonitorSettings.DEFAULT_SETTLE, clock, address -> {
        counted.add(address);
        return slowCounts.getOrDefault(address, CompletableFuture.completedFuture(connections.getOrDefault(address, 0)));
    }, since -> {
        busyAskedFor.add(Duration.between(since, clock.instant()));
        return busy;
    });
    final List<Finding> findings = new ArrayList<>();

    List<Renumbering> renumberings() {
        return findings.stream().filter(Renumbering.class::isInstance).map(Renumbering.class::cast).toList();
    }

    void configured(String... addresses) {
        List<ConfiguredAddress> list = new ArrayList<>();
        for (String a : addresses) {
            list.add(parse("add " + a).configured());
        }
        detector.reset(list);
    }

    /** One event as its own batch, 10 ms after the previous one. */
    void step(String step) {
        clock.advanceMillis(10);
        batch(step);
    }

    void batch(String... steps) {
        List<AddressEvent> events = new ArrayList<>();
        for (String s : steps) {
            events.add(parse(s));
        }
        findings.addAll(detector.accept(events));
    }

    /** {@code [IF] add|del ADDR/PREFIX LABEL [secondary]}; the interface defaults to v0. */
    AddressEvent parse(String step) {
        List<String> words = new ArrayList<>(List.of(step.strip().split("\\s+")));
        String nic = words.get(0).equals("add") || words.get(0).equals("del") ? "v0" : words.remove(0);
        AddressEvent.Kind kind = words.get(0).equals("add") ? AddressEvent.Kind.ADDED : AddressEvent.Kind.REMOVED;
        Set<String> flags = new HashSet<>(words.subList(3, words.size()));
        return new AddressEvent(kind, nic, InterfaceAddress.parse(words.get(1)), words.get(2),
                flags.contains("secondary"), clock.instant());
    }
}
