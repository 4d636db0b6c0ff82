package org.renumber.monitor;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;

/**
 * One interface as the {@link RenumberingDetector} sees it: what is configured on it (by address, then prefix), and
 * the steps inside the window, with the rules that make an address the old or the new one of a renumbering.
 */
final class InterfaceSteps {

    /** A configured address and since when. */
    record Entry(ConfiguredAddress address, Instant since) {
    }

    /**
     * An event inside the window, whether its address was configured just before it, and its place among the
     * interface's events.
     */
    record Step(AddressEvent event, boolean presentBefore, long sequence) {
    }

    final String name;
    final Map<InetAddress, Map<Integer, Entry>> configured = new LinkedHashMap<>();
    final Map<InetAddress, List<Step>> steps = new LinkedHashMap<>();
    long sequence;

    InterfaceSteps(String name) {
        this.name = name;
    }

    boolean isPresent(InetAddress ip) {
        return configured.containsKey(ip);
    }

    boolean has(InterfaceAddress address) {
        Map<Integer, Entry> prefixes = configured.get(address.address());
        return prefixes != null && prefixes.containsKey(address.prefixLength());
    }

    void configure(ConfiguredAddress address, Instant since) {
        Map<Integer, Entry> prefixes = configured.computeIfAbsent(address.address().address(),
                k -> new LinkedHashMap<>());
        Entry before = prefixes.get(address.address().prefixLength());
        prefixes.put(address.address().prefixLength(),
                new Entry(address, before == null ? since : before.since()));
    }

    void unconfigure(InterfaceAddress address) {
        Map<Integer, Entry> prefixes = configured.get(address.address());
        if (prefixes != null) {
            prefixes.remove(address.prefixLength());
            if (prefixes.isEmpty()) {
                configured.remove(address.address());
            }
        }
    }

    /** The configuration of {@code ip} added last (an address may be configured with several prefixes). */
    Entry current(InetAddress ip) {
        return configured.get(ip).values().stream().max(Comparator.comparing(Entry::since)).orElseThrow();
    }

    Instant firstStep(InetAddress ip) {
        return steps.get(ip).get(0).event().time();
    }

    boolean isOld(InetAddress ip) {
        List<Step> list = steps.get(ip);
        return isPresent(ip) && list.get(0).presentBefore()
                && list.stream().anyMatch(s -> isPrimaryRemoval(s, list));
    }

    /**
     * A primary address went away, and not just to change its netmask: {@code ifconfig IF netmask M} (or
     * {@code ip addr del A/24} then {@code add A/16}) is a removal directly followed, on this interface, by the
     * same address and label with another prefix.
     */
    private static boolean isPrimaryRemoval(Step removal, List<Step> list) {
        if (removal.event().isAdded() || removal.event().secondary()) {
            return false;
        }
        return list.stream().noneMatch(next -> next.sequence() == removal.sequence() + 1 && next.event().isAdded()
                && next.event().address().prefixLength() != removal.event().address().prefixLength()
                && next.event().label().equals(removal.event().label()));
    }

    boolean isNew(InetAddress ip) {
        return isPresent(ip) && !steps.get(ip).get(0).presentBefore();
    }
}
