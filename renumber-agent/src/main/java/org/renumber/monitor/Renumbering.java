package org.renumber.monitor;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.renumber.domain.ConfiguredAddress;

/**
 * An operator renumbered an interface by hand: the old primary address was removed, a new address added and the
 * old one re-added (as an alias), all inside the window.
 *
 * @param interfaceName the interface
 * @param oldAddress    the old address as configured now (the alias: its prefix and label)
 * @param newAddress    the new address as configured now
 * @param completedAt   when the event that completed the pattern arrived
 */
public record Renumbering(String interfaceName, ConfiguredAddress oldAddress, ConfiguredAddress newAddress,
                          Instant completedAt) implements Finding {

    public Renumbering {
        requireNonNull(interfaceName, "interfaceName");
        requireNonNull(oldAddress, "oldAddress");
        requireNonNull(newAddress, "newAddress");
        requireNonNull(completedAt, "completedAt");
    }
}
