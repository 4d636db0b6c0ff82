package org.renumber.monitor;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.renumber.domain.ConfiguredAddress;

/**
 * An address was removed by hand while connections used it, and was not re-added inside the window: those
 * connections are broken (the kernel keeps the sockets, but no packet reaches them any more).
 *
 * @param interfaceName the interface it was removed from
 * @param address       the address as it was configured
 * @param connections   live connections on it, counted right after the removal
 * @param removedAt     when the removal arrived
 */
public record AddressLoss(String interfaceName, ConfiguredAddress address, int connections, Instant removedAt)
        implements Finding {

    public AddressLoss {
        requireNonNull(interfaceName, "interfaceName");
        requireNonNull(address, "address");
        requireNonNull(removedAt, "removedAt");
    }
}
