package org.renumber.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernel added or removed an address (RTM_NEWADDR / RTM_DELADDR). Updates of an address already configured
 * (IPv6 DAD finishing, lifetimes refreshed, a secondary promoted) are not events.
 *
 * @param kind          added or removed
 * @param interfaceName the interface, never the label
 * @param address       address and prefix
 * @param label         IPv4 label ({@code v0:0} for an alias); the interface name for IPv6
 * @param secondary     IPv4 only: it was (or is) a secondary address of its subnet
 * @param time          when the agent received it
 */
public record AddressEvent(Kind kind, String interfaceName, InterfaceAddress address, String label, boolean secondary,
                           Instant time) {

    public enum Kind { ADDED, REMOVED }

    public AddressEvent {
        requireNonNull(kind, "kind");
        requireNonNull(interfaceName, "interfaceName");
        requireNonNull(address, "address");
        requireNonNull(time, "time");
        label = label == null || label.isEmpty() ? interfaceName : label;
    }

    public static AddressEvent added(ConfiguredAddress configured, Instant time) {
        return new AddressEvent(Kind.ADDED, configured.interfaceName(), configured.address(), configured.label(),
                configured.secondary(), time);
    }

    public static AddressEvent removed(ConfiguredAddress configured, Instant time) {
        return new AddressEvent(Kind.REMOVED, configured.interfaceName(), configured.address(), configured.label(),
                configured.secondary(), time);
    }

    /**
     * The events that turn {@code known} into {@code now} (two views of the same addresses, keyed alike): removals
     * first, then additions. An address present in both with another label or secondary flag was removed and added
     * again.
     */
    public static <K> List<AddressEvent> difference(Map<K, ConfiguredAddress> known, Map<K, ConfiguredAddress> now,
                                                    Instant time) {
        List<AddressEvent> removed = new ArrayList<>();
        List<AddressEvent> added = new ArrayList<>();
        for (Map.Entry<K, ConfiguredAddress> entry : known.entrySet()) {
            if (!entry.getValue().equals(now.get(entry.getKey()))) {
                removed.add(removed(entry.getValue(), time));
            }
        }
        for (Map.Entry<K, ConfiguredAddress> entry : now.entrySet()) {
            if (!entry.getValue().equals(known.get(entry.getKey()))) {
                added.add(added(entry.getValue(), time));
            }
        }
        removed.addAll(added);
        return removed;
    }

    public boolean isAdded() {
        return kind == Kind.ADDED;
    }

    public ConfiguredAddress configured() {
        return new ConfiguredAddress(interfaceName, address, label, secondary);
    }

    /** {@code v0: 10.9.0.1/24 (v0:0) added}. */
    public String describe() {
        return interfaceName + ": " + configured().describe() + (isAdded() ? " added" : " removed");
    }
}
