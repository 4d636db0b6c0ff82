package org.renumber.domain;

import java.net.InetAddress;
import java.util.List;

/**
 * The kernel operations an address change needs, on the network namespace the agent manages.
 * Implementations throw {@link NetworkException} with the kernel's reason when an operation fails.
 */
public interface NetworkControl {

    /** All interfaces of the managed namespace with their addresses. */
    List<NetInterface> interfaces();

    /** Adds {@code address} to the interface; returns once the kernel has accepted it. */
    void addAddress(String interfaceName, InterfaceAddress address);

    /** Removes exactly this address and prefix from the interface. */
    void removeAddress(String interfaceName, InterfaceAddress address);

    /**
     * Replaces the connected (proto kernel, scope link, main table) route of {@code subnet}'s network on the
     * interface so that its preferred source is {@code preferredSource}: new outbound connections to that
     * network then pick that source. IPv4 ignores deprecation for source selection, so this is the steering.
     */
    void setConnectedRouteSource(String interfaceName, InterfaceAddress subnet, InetAddress preferredSource);

    /** Deletes the connected route of {@code subnet}'s network on the interface, if present. */
    void deleteConnectedRoute(String interfaceName, InterfaceAddress subnet);

    /** The preferred source of the connected route of {@code subnet}'s network, or null if none/unset. */
    InetAddress connectedRouteSource(String interfaceName, InterfaceAddress subnet);

    /** The interface's IPv4 {@code promote_secondaries} setting. */
    boolean promoteSecondaries(String interfaceName);

    /** Sets the interface's IPv4 {@code promote_secondaries}; see DESIGN.md for the trap it avoids. */
    void setPromoteSecondaries(String interfaceName, boolean enabled);
}
