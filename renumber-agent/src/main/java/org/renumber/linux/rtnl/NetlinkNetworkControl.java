package org.renumber.linux.rtnl;

import static org.renumber.linux.netlink.NetlinkConstants.IFA_CACHEINFO;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_AF_SPEC;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_IFNAME;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_INET_CONF;
import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_ROUTE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REPLACE;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_DELADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_GETLINK;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_SETLINK;
import static org.renumber.linux.netlink.NetlinkConstants.RTNLGRP_IPV4_IFADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTNLGRP_IPV6_IFADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTPROT_KERNEL;
import static org.renumber.linux.netlink.NetlinkConstants.RT_TABLE_LOCAL;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressRule;
import org.renumber.domain.AddressState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetInterface;
import org.renumber.domain.NetworkException;
import org.renumber.domain.SourceRoute;
import org.renumber.domain.port.NetworkControl;
import org.renumber.linux.Errno;
import org.renumber.linux.IpText;
import org.renumber.linux.LibC;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.NetlinkSocket;

/**
 * {@link NetworkControl} over rtnetlink (NETLINK_ROUTE) in one network namespace: the same messages
 * {@code ip addr}, {@code ip route}, {@code ip rule} and {@code sysctl} would send, without running them. One
 * socket, used by one request at a time. Closing this closes the socket, not the namespace.
 */
public final class NetlinkNetworkControl implements NetworkControl, AutoCloseable {

    /** {@code IFNAMSIZ - 1}. */
    private static final int MAX_INTERFACE_NAME = 15;

    private final LinuxNetns netns;
    private final NetlinkSocket socket;
    private final ExactRoutes routes;

    public NetlinkNetworkControl(LinuxNetns netns) {
        this.netns = Objects.requireNonNull(netns, "netns");
        this.socket = NetlinkSocket.openIn(netns, NETLINK_ROUTE);
        this.routes = new ExactRoutes(socket, "in " + netns.describe());
    }

    @Override
    public List<NetInterface> interfaces() {
        List<LinkMessage> linkList = socket.transact("list interfaces in " + netns.describe(),
                LinkMessage.dumpRequest(), LinkMessage::parse);
        List<AddressMessage> addressList = socket.transact("list addresses in " + netns.describe(),
                AddressMessage.dumpRequest(LibC.AF_UNSPEC), AddressMessage::parse);

        Map<Integer, List<InterfaceAddress>> byIndex = new LinkedHashMap<>();
        for (AddressMessage a : addressList) {
            byIndex.computeIfAbsent(a.index(), i -> new ArrayList<>()).add(a.address());
        }
        List<NetInterface> result = new ArrayList<>();
        for (LinkMessage link : linkList) {
            result.add(new NetInterface(link.index(), link.name(), byIndex.getOrDefault(link.index(), List.of())));
        }
        return result;
    }

    @Override
    public void addAddress(String interfaceName, InterfaceAddress address) {
        Objects.requireNonNull(address, "address");
        LinkMessage link = link(interfaceName);
        socket.request("add address " + IpText.of(address) + " to " + interfaceName + " in " + netns.describe(),
                AddressMessage.addRequest(link.index(), address));
    }

    @Override
    public void removeAddress(String interfaceName, InterfaceAddress address) {
        Objects.requireNonNull(address, "address");
        LinkMessage link = link(interfaceName);
        socket.request("remove address " + IpText.of(address) + " from " + interfaceName + " in " + netns.describe(),
                AddressMessage.deleteRequest(link.index(), address));
    }

    /**
     * Joins the address multicast group of the address's family on a socket of its own first, then looks at the
     * address (a dump on the request socket), so a change between the look and the subscription is still queued
     * as an event. If the address is tentative, a thread reads the kernel's RTM_NEWADDR/RTM_DELADDR events until
     * its flags settle, the timeout passes or the future is cancelled. DAD ends with an RTM_NEWADDR without
     * {@code tentative}, or with {@code dadfailed} (the kernel keeps such an address, unusable).
     */
    @Override
    public CompletableFuture<AddressState> awaitUsable(String interfaceName, InterfaceAddress address, Duration timeout) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(timeout, "timeout");
        LinkMessage link = link(interfaceName);
        NetlinkSocket events = NetlinkSocket.openIn(netns, NETLINK_ROUTE);
        try {
            events.joinGroup(address.isIpv4() ? RTNLGRP_IPV4_IFADDR : RTNLGRP_IPV6_IFADDR);
            AddressState now = addressState(link.index(), address);
            if (now != AddressState.TENTATIVE || timeout.isZero() || timeout.isNegative()) {
                events.close();
                return CompletableFuture.completedFuture(now);
            }
            return new AddressUsableWait(events, link.index(), address, timeout,
                    () -> addressState(link.index(), address)).start();
        } catch (RuntimeException e) {
            events.close();
            throw e;
        }
    }

    @Override
    public AddressLifetimes lifetimes(String interfaceName, InterfaceAddress address) {
        Objects.requireNonNull(address, "address");
        AddressMessage found = findAddress(link(interfaceName).index(), address);
        return found == null ? null : found.lifetimes();
    }

    /**
     * RTM_NEWADDR with NLM_F_REPLACE and IFA_CACHEINFO, as {@code ip addr change} sends it, with the address's
     * own flags, route metric and protocol sent back (the kernel resets what the request leaves out).
     */
    @Override
    public void setLifetimes(String interfaceName, InterfaceAddress address, AddressLifetimes lifetimes) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(lifetimes, "lifetimes");
        LinkMessage link = link(interfaceName);
        String operation = "set " + lifetimes + " on " + IpText.of(address) + " dev " + interfaceName + " in "
                + netns.describe();
        AddressMessage current = findAddress(link.index(), address);
        if (current == null) {
            // A replace of a missing IPv6 address would add it (inet6_rtm_newaddr): refuse instead.
            throw new NetworkException(operation + " failed: the address is not on " + interfaceName,
                    Errno.EADDRNOTAVAIL);
        }
        socket.request(operation, AddressMessage.lifetimesRequest(current, lifetimes));
    }

    @Override
    public List<SourceRoute> routesWithSource(InetAddress source) {
        Objects.requireNonNull(source, "source");
        List<RouteMessage> matching = routes.dump(source instanceof Inet4Address ? LibC.AF_INET : LibC.AF_INET6)
                .stream()
                .filter(m -> m.route().table() != RT_TABLE_LOCAL && m.route().protocol() != RTPROT_KERNEL
                        && source.equals(m.preferredSource()))
                .toList();
        if (matching.isEmpty()) {
            return List.of();
        }
        Map<Integer, String> names = linkNames();
        return matching.stream().map(r -> new SourceRoute(r.text(names), r.key())).toList();
    }

    /** The route the key names, and no other: see {@link ExactRoutes#setSource}. */
    @Override
    public void setRouteSource(SourceRoute route, InetAddress source) {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(source, "source");
        routes.setSource(route.key(), source, route.text());
    }

    @Override
    public List<AddressRule> rulesSelecting(InetAddress address) {
        Objects.requireNonNull(address, "address");
        NetlinkRequest request = RuleMessage.dumpRequest(address instanceof Inet4Address ? LibC.AF_INET : LibC.AF_INET6);
        return socket.transact("list rules in " + netns.describe(), request, RuleMessage::parse).stream()
                .filter(rule -> rule.selects(address))
                .map(rule -> new AddressRule(rule.text(), rule.key(address), rule.copyableFrom(address)))
                .toList();
    }

    /** EEXIST: the rule is there already, as asked. */
    @Override
    public void addRuleSelecting(AddressRule rule, InetAddress address) {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(address, "address");
        socket.requestUnlessDone("add rule " + rule.text() + " for " + IpText.of(address) + " in "
                + netns.describe(), RuleMessage.addRequest(rule.key(), address), Errno.EEXIST);
    }

    /** ENOENT: the rule is gone already, as asked. */
    @Override
    public void deleteRuleSelecting(AddressRule rule, InetAddress address) {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(address, "address");
        socket.requestUnlessDone("delete rule " + rule.text() + " for " + IpText.of(address) + " in "
                + netns.describe(), RuleMessage.deleteRequest(rule.key(), address), Errno.ENOENT);
    }

    /**
     * This interface's connected route of the subnet, and no other interface's: {@link ExactRoutes#setSource}
     * on its key. When the interface has none, one is made as the kernel makes it for an address (appended, at
     * the metric the kernel gives it).
     */
    @Override
    public void setConnectedRouteSource(String interfaceName, InterfaceAddress subnet, InetAddress preferredSource) {
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(preferredSource, "preferredSource");
        if (InterfaceAddress.maxPrefix(preferredSource) != InterfaceAddress.maxPrefix(subnet.address())) {
            throw new IllegalArgumentException("preferred source " + IpText.of(preferredSource)
                    + " is not of the same family as " + IpText.of(subnet));
        }
        LinkMessage link = link(interfaceName);
        RouteMessage existing = routes.connected(link.index(), subnet);
        String key = existing != null ? existing.key() : RouteMessage.connectedKey(link.index(), subnet);
        routes.setSource(key, preferredSource, connectedRouteText(subnet, interfaceName));
    }

    /** Every route of the interface's connected route's key, whatever its source; none is fine. */
    @Override
    public void deleteConnectedRoute(String interfaceName, InterfaceAddress subnet) {
        Objects.requireNonNull(subnet, "subnet");
        LinkMessage link = link(interfaceName);
        RouteMessage existing = routes.connected(link.index(), subnet);
        if (existing == null) {
            return;
        }
        String key = existing.key();
        for (RouteMessage route : routes.dump(AddressMessage.family(subnet))) {
            if (route.is(key)) {
                routes.delete(route, connectedRouteText(subnet, interfaceName));
            }
        }
    }

    @Override
    public InetAddress connectedRouteSource(String interfaceName, InterfaceAddress subnet) {
        Objects.requireNonNull(subnet, "subnet");
        RouteMessage route = routes.connected(link(interfaceName).index(), subnet);
        return route == null ? null : route.preferredSource();
    }

    /**
     * Whether the kernel promotes a secondary address when the primary of its subnet is removed on this
     * interface: its own {@code promote_secondaries} or that of {@code net.ipv4.conf.all}, which the kernel ORs
     * ({@code IN_DEV_ORCONF}). The interface's value comes from its IPv4 devconf in the link message, the
     * "all" value from /proc/sys read on the namespace's thread.
     */
    @Override
    public boolean promoteSecondaries(String interfaceName) {
        LinkMessage link = link(interfaceName);
        if (link.promoteSecondaries()) {
            return true;
        }
        String all = netns.readFile(Path.of("/proc/sys/net/ipv4/conf/all/promote_secondaries")).strip();
        return !"0".equals(all);
    }

    /**
     * Sets the interface's own {@code promote_secondaries} with RTM_SETLINK (IFLA_AF_SPEC / AF_INET /
     * IFLA_INET_CONF, attribute type = devconf index), like writing
     * {@code /proc/sys/net/ipv4/conf/IF/promote_secondaries}. Turning it off does not override "all".
     */
    @Override
    public void setPromoteSecondaries(String interfaceName, boolean enabled) {
        LinkMessage link = link(interfaceName);
        socket.request("set promote_secondaries=" + (enabled ? 1 : 0) + " on " + interfaceName + " in "
                + netns.describe(), LinkMessage.promoteSecondariesRequest(link.index(), enabled));
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "rtnetlink in " + netns.describe();
    }

    /** The interface by name (RTM_GETLINK with IFLA_IFNAME); unknown names are the caller's mistake. */
    private LinkMessage link(String interfaceName) {
        Objects.requireNonNull(interfaceName, "interfaceName");
        byte[] name = interfaceName.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > MAX_INTERFACE_NAME || interfaceName.contains("/")
                || interfaceName.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + interfaceName + "' is not an interface name (1-15 bytes, no / or spaces)");
        }
        byte[] terminated = new byte[name.length + 1];
        System.arraycopy(name, 0, terminated, 0, name.length);
        List<LinkMessage> links;
        try {
            links = socket.transact("look up interface " + interfaceName + " in " + netns.describe(),
                    LinkMessage.byNameRequest(terminated), LinkMessage::parse);
        } catch (NetworkException e) {
            if (e.errno() == Errno.ENODEV) {
                throw new IllegalArgumentException("no interface '" + interfaceName + "' in " + netns.describe(), e);
            }
            throw e;
        }
        if (links.isEmpty()) {
            throw new IllegalArgumentException("no interface '" + interfaceName + "' in " + netns.describe());
        }
        return links.get(0);
    }

    /** The address as the kernel lists it now (a dump of its family), or null when it is not on the interface. */
    private AddressMessage findAddress(int index, InterfaceAddress address) {
        return socket.transact("list addresses in " + netns.describe(),
                        AddressMessage.dumpRequest(AddressMessage.family(address)), AddressMessage::parse).stream()
                .filter(a -> a.is(index, address))
                .findFirst()
                .orElse(null);
    }

    private AddressState addressState(int index, InterfaceAddress address) {
        AddressMessage found = findAddress(index, address);
        return found == null ? AddressState.ABSENT : found.state();
    }

    private Map<Integer, String> linkNames() {
        Map<Integer, String> names = new LinkedHashMap<>();
        for (LinkMessage link : socket.transact("list interfaces in " + netns.describe(), LinkMessage.dumpRequest(),
                LinkMessage::parse)) {
            names.put(link.index(), link.name());
        }
        return names;
    }

    private static String connectedRouteText(InterfaceAddress subnet, String interfaceName) {
        return IpText.of(subnet.network()) + "/" + subnet.prefixLength() + " dev " + interfaceName;
    }
}
