package org.renumber.domain.port;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressRule;
import org.renumber.domain.AddressState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetInterface;
import org.renumber.domain.NetworkException;
import org.renumber.domain.SourceRoute;

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
     * Completes once the address is {@link AddressState#USABLE usable}, {@link AddressState#DUPLICATE duplicate}
     * or {@link AddressState#ABSENT absent}, or with {@link AddressState#TENTATIVE} when {@code timeout} passes
     * first. A new IPv6 address is tentative while the kernel runs duplicate address detection (about a second
     * here); an IPv4 address is usable as soon as it is there. The wait follows the kernel's address events, it
     * does not poll; cancelling the future ends it.
     */
    CompletableFuture<AddressState> awaitUsable(String interfaceName, InterfaceAddress address, Duration timeout);

    /** The address's current lifetimes, or null when it is not on the interface. */
    AddressLifetimes lifetimes(String interfaceName, InterfaceAddress address);

    /**
     * Sets the lifetimes of an address that is on the interface, leaving everything else about it as it is
     * ({@code ip addr change ADDR dev IF preferred_lft P valid_lft V}). Preferred lifetime 0 deprecates an IPv6
     * address: new outbound connections then choose another source while existing ones keep working.
     */
    void setLifetimes(String interfaceName, InterfaceAddress address, AddressLifetimes lifetimes);

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

    /**
     * The preferred source of the local route the kernel made for IPv4 {@code local} on the interface ({@code local
     * ADDR dev IF table local proto kernel scope host}, metric 0), or null when it has none. The kernel gives a
     * secondary address's local route its subnet's primary as source (docs/architecture.md, "Kernel facts").
     */
    InetAddress localRouteSource(String interfaceName, InetAddress local);

    /**
     * Makes that local route of {@code local} prefer {@code preferredSource} and leaves no other source on it,
     * changing nothing else about it and no other interface's route; already so is done. Does nothing when the
     * interface has no such route (the address is not on it): a local route is never created here.
     */
    void setLocalRouteSource(String interfaceName, InetAddress local, InetAddress preferredSource);

    /**
     * Deletes that local route of {@code local} if it prefers {@code preferredSource}; none is fine. For an address
     * that has gone: the kernel leaves a local route whose source was changed behind when its address is deleted.
     */
    void deleteLocalRoute(String interfaceName, InetAddress local, InetAddress preferredSource);

    /**
     * The routes of every table but {@code local}, on any interface, whose preferred source is {@code source},
     * multipath routes and routes through nexthop objects ({@code nhid}) included; not those the kernel made for
     * an address itself ({@code proto kernel}: they come and go with their address,
     * and the old subnet's connected route is steered with {@link #setConnectedRouteSource}).
     */
    List<SourceRoute> routesWithSource(InetAddress source);

    /**
     * Makes {@code route} prefer {@code source}, changing nothing else about it ({@code ip route replace ROUTE
     * src SOURCE}; a route through a nexthop object keeps its {@code nhid}); re-creates it if it has gone.
     */
    void setRouteSource(SourceRoute route, InetAddress source);

    /**
     * The policy rules whose source or destination selector ({@code from PREFIX}, {@code to PREFIX}) contains
     * {@code address}, in the kernel's order; {@code from all} and {@code to all} do not select it.
     */
    List<AddressRule> rulesSelecting(InetAddress address);

    /**
     * Adds the rule {@code rule} is, with {@code address} in each selector that named the address it was listed
     * for (same prefix length, same other selectors, priority and action), as {@code ip rule add from ADDRESS ...}
     * or {@code ip rule add to ADDRESS ...} would. Does nothing when that rule exists already.
     */
    void addRuleSelecting(AddressRule rule, InetAddress address);

    /**
     * Deletes the rule {@code rule} is, with {@code address} in each selector that named the address it was listed
     * for; does nothing when there is no such rule.
     */
    void deleteRuleSelecting(AddressRule rule, InetAddress address);

    /** The interface's IPv4 {@code promote_secondaries} setting. */
    boolean promoteSecondaries(String interfaceName);

    /** Sets the interface's IPv4 {@code promote_secondaries}; see docs/architecture.md for the trap it avoids. */
    void setPromoteSecondaries(String interfaceName, boolean enabled);
}
