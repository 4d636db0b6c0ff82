package org.renumber.domain;

import static java.util.Objects.requireNonNull;


/**
 * An address as configured on an interface.
 *
 * @param interfaceName the interface ({@code v0}), never the label
 * @param address       address and prefix
 * @param label         the IPv4 label ({@code v0} or an alias name such as {@code v0:0}); the interface name for
 *                      IPv6, which has no labels
 * @param secondary     IPv4 only: the kernel holds it as a secondary of another address in the same subnet
 */
public record ConfiguredAddress(String interfaceName, InterfaceAddress address, String label, boolean secondary) {

    public ConfiguredAddress {
        requireNonNull(interfaceName, "interfaceName");
        requireNonNull(address, "address");
        label = label == null || label.isEmpty() ? interfaceName : label;
    }

    /** {@code 10.9.0.1/24 (v0:0, secondary)}; the label only when it is an alias name. */
    public String describe() {
        boolean alias = !label.equals(interfaceName);
        if (!alias && !secondary) {
            return address.toString();
        }
        return address + " (" + (alias ? label : "") + (alias && secondary ? ", " : "") + (secondary ? "secondary" : "")
                + ")";
    }
}
