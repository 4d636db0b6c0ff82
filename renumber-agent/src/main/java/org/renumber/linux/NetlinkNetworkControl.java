package org.renumber.linux;

import static org.renumber.linux.NetlinkConstants.IFA_ADDRESS;
import static org.renumber.linux.NetlinkConstants.IFA_BROADCAST;
import static org.renumber.linux.NetlinkConstants.IFA_CACHEINFO;
import static org.renumber.linux.NetlinkConstants.IFA_FLAGS;
import static org.renumber.linux.NetlinkConstants.IFA_F_DADFAILED;
import static org.renumber.linux.NetlinkConstants.IFA_F_HOMEADDRESS;
import static org.renumber.linux.NetlinkConstants.IFA_F_MANAGETEMPADDR;
import static org.renumber.linux.NetlinkConstants.IFA_F_MCAUTOJOIN;
import static org.renumber.linux.NetlinkConstants.IFA_F_NODAD;
import static org.renumber.linux.NetlinkConstants.IFA_F_NOPREFIXROUTE;
import static org.renumber.linux.NetlinkConstants.IFA_F_OPTIMISTIC;
import static org.renumber.linux.NetlinkConstants.IFA_F_TENTATIVE;
import static org.renumber.linux.NetlinkConstants.IFA_LABEL;
import static org.renumber.linux.NetlinkConstants.IFA_LOCAL;
import static org.renumber.linux.NetlinkConstants.IFA_PROTO;
import static org.renumber.linux.NetlinkConstants.IFA_RT_PRIORITY;
import static org.renumber.linux.NetlinkConstants.IFLA_AF_SPEC;
import static org.renumber.linux.NetlinkConstants.IFLA_EXT_MASK;
import static org.renumber.linux.NetlinkConstants.IFLA_IFNAME;
import static org.renumber.linux.NetlinkConstants.IFLA_INET_CONF;
import static org.renumber.linux.NetlinkConstants.IP6_RT_PRIO_ADDRCONF;
import static org.renumber.linux.NetlinkConstants.IPV4_DEVCONF_PROMOTE_SECONDARIES;
import static org.renumber.linux.NetlinkConstants.NETLINK_ROUTE;
import static org.renumber.linux.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.NetlinkConstants.NLM_F_CREATE;
import static org.renumber.linux.NetlinkConstants.NLM_F_DUMP;
import static org.renumber.linux.NetlinkConstants.NLM_F_EXCL;
import static org.renumber.linux.NetlinkConstants.NLM_F_REPLACE;
import static org.renumber.linux.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.NetlinkConstants.RTA_DST;
import static org.renumber.linux.NetlinkConstants.RTA_ENCAP;
import static org.renumber.linux.NetlinkConstants.RTA_ENCAP_TYPE;
import static org.renumber.linux.NetlinkConstants.RTA_FLOW;
import static org.renumber.linux.NetlinkConstants.RTA_GATEWAY;
import static org.renumber.linux.NetlinkConstants.RTA_METRICS;
import static org.renumber.linux.NetlinkConstants.RTA_MULTIPATH;
import static org.renumber.linux.NetlinkConstants.RTA_NH_ID;
import static org.renumber.linux.NetlinkConstants.RTA_OIF;
import static org.renumber.linux.NetlinkConstants.RTA_PREF;
import static org.renumber.linux.NetlinkConstants.RTA_PREFSRC;
import static org.renumber.linux.NetlinkConstants.RTA_PRIORITY;
import static org.renumber.linux.NetlinkConstants.RTA_SRC;
import static org.renumber.linux.NetlinkConstants.RTA_TABLE;
import static org.renumber.linux.NetlinkConstants.RTA_VIA;
import static org.renumber.linux.NetlinkConstants.RTEXT_FILTER_SKIP_STATS;
import static org.renumber.linux.NetlinkConstants.RTM_DELADDR;
import static org.renumber.linux.NetlinkConstants.RTM_DELROUTE;
import static org.renumber.linux.NetlinkConstants.RTM_GETADDR;
import static org.renumber.linux.NetlinkConstants.RTM_GETLINK;
import static org.renumber.linux.NetlinkConstants.RTM_GETROUTE;
import static org.renumber.linux.NetlinkConstants.RTM_GETRULE;
import static org.renumber.linux.NetlinkConstants.RTM_NEWADDR;
import static org.renumber.linux.NetlinkConstants.RTM_NEWLINK;
import static org.renumber.linux.NetlinkConstants.RTM_NEWROUTE;
import static org.renumber.linux.NetlinkConstants.RTM_SETLINK;
import static org.renumber.linux.NetlinkConstants.RTNH_F_ONLINK;
import static org.renumber.linux.NetlinkConstants.RTNLGRP_IPV4_IFADDR;
import static org.renumber.linux.NetlinkConstants.RTNLGRP_IPV6_IFADDR;
import static org.renumber.linux.NetlinkConstants.RTN_UNICAST;
import static org.renumber.linux.NetlinkConstants.RTPROT_BOOT;
import static org.renumber.linux.NetlinkConstants.RTPROT_DHCP;
import static org.renumber.linux.NetlinkConstants.RTPROT_KERNEL;
import static org.renumber.linux.NetlinkConstants.RTPROT_RA;
import static org.renumber.linux.NetlinkConstants.RTPROT_STATIC;
import static org.renumber.linux.NetlinkConstants.RT_SCOPE_LINK;
import static org.renumber.linux.NetlinkConstants.RT_SCOPE_NOWHERE;
import static org.renumber.linux.NetlinkConstants.RT_SCOPE_UNIVERSE;
import static org.renumber.linux.NetlinkConstants.RT_TABLE_DEFAULT;
import static org.renumber.linux.NetlinkConstants.RT_TABLE_LOCAL;
import static org.renumber.linux.NetlinkConstants.RT_TABLE_MAIN;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressRule;
import org.renumber.domain.AddressState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.NetInterface;
import org.renumber.domain.NetworkException;
import org.renumber.domain.SourceRoute;
import org.renumber.domain.port.NetworkControl;

/**
 * {@link NetworkControl} over rtnetlink (NETLINK_ROUTE) in one network namespace: the same messages
 * {@code ip addr}, {@code ip route}, {@code ip rule} and {@code sysctl} would send, without running them. One
 * socket, used by one request at a time. Closing this closes the socket, not the namespace.
 */
public final class NetlinkNetworkControl implements NetworkControl, AutoCloseable {

    /** {@code IFNAMSIZ - 1}. */
    private static final int MAX_INTERFACE_NAME = 15;

    /**
     * The address flags an RTM_NEWADDR with NLM_F_REPLACE sets anew from the request (inet6_addr_modify clears
     * them first): a change of lifetimes must send back those the address has, or it would lose them.
     */
    static final int REPLACEABLE_ADDRESS_FLAGS = IFA_F_NODAD | IFA_F_OPTIMISTIC | IFA_F_HOMEADDRESS
            | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN;

    /**
     * The route attributes that describe a route in a request (rtm_to_fib_config, rtm_to_fib6_config). A dumped
     * route also carries read-only ones (RTA_CACHEINFO) and its preferred source, which {@link #setRouteSource}
     * sets; RTA_TABLE repeats rtm_table.
     */
    private static final Set<Integer> ROUTE_KEY_ATTRIBUTES = Set.of(RTA_DST, RTA_SRC, RTA_OIF, RTA_GATEWAY,
            RTA_PRIORITY, RTA_METRICS, RTA_MULTIPATH, RTA_FLOW, RTA_TABLE, RTA_VIA, RTA_PREF, RTA_ENCAP_TYPE,
            RTA_ENCAP, RTA_NH_ID);
    /**
     * The attributes that describe a route's path (fib_nh, fib6_nh). A route through a nexthop object
     * ({@code nhid}) has its path in that object, yet the kernel dumps the path with it for old tools
     * (net.ipv4.nexthop_compat_mode, on by default) and refuses the path next to RTA_NH_ID in a request
     * (rtm_to_fib_config, rtm_to_fib6_config: "Nexthop specification and nexthop id are mutually exclusive").
     */
    private static final Set<Integer> PATH_ATTRIBUTES = Set.of(RTA_OIF, RTA_GATEWAY, RTA_VIA, RTA_MULTIPATH,
            RTA_FLOW, RTA_ENCAP_TYPE, RTA_ENCAP);
    /** A route request must fit a {@link NetlinkRequest} (4 KiB) with its source added. */
    private static final int ROUTE_KEY_CAPACITY = 4000;
    /** Version tag of the route key format in journals. */
    private static final String ROUTE_KEY_PREFIX = "rtmsg1:";

    private final LinuxNetns netns;
    private final NetlinkSocket socket;

    public NetlinkNetworkControl(LinuxNetns netns) {
        this.netns = Objects.requireNonNull(netns, "netns");
        this.socket = netns.openSocket(NETLINK_ROUTE);
    }

    @Override
    public List<NetInterface> interfaces() {
        NetlinkRequest links = new NetlinkRequest(RTM_GETLINK, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructIfInfoMsg(LibC.AF_UNSPEC, 0, 0, 0, 0).pack(links.buffer());
        StructNlAttr.putU32(links.buffer(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        List<Link> linkList = socket.transact("list interfaces in " + netns.describe(), links, Link::parse);

        NetlinkRequest addresses = new NetlinkRequest(RTM_GETADDR, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructIfAddrMsg(LibC.AF_UNSPEC, 0, 0, 0, 0).pack(addresses.buffer());
        List<Address> addressList = socket.transact("list addresses in " + netns.describe(), addresses, Address::parse);

        Map<Integer, List<InterfaceAddress>> byIndex = new LinkedHashMap<>();
        for (Address a : addressList) {
            byIndex.computeIfAbsent(a.index, i -> new ArrayList<>()).add(a.address);
        }
        List<NetInterface> result = new ArrayList<>();
        for (Link link : linkList) {
            result.add(new NetInterface(link.index, link.name, byIndex.getOrDefault(link.index, List.of())));
        }
        return result;
    }

    @Override
    public void addAddress(String interfaceName, InterfaceAddress address) {
        Objects.requireNonNull(address, "address");
        Link link = link(interfaceName);
        socket.request("add address " + IpText.of(address) + " to " + interfaceName + " in " + netns.describe(),
                newAddressRequest(link.index, address));
    }

    @Override
    public void removeAddress(String interfaceName, InterfaceAddress address) {
        Objects.requireNonNull(address, "address");
        Link link = link(interfaceName);
        socket.request("remove address " + IpText.of(address) + " from " + interfaceName + " in " + netns.describe(),
                deleteAddressRequest(link.index, address));
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
        Link link = link(interfaceName);
        NetlinkSocket events = netns.openSocket(NETLINK_ROUTE);
        try {
            events.joinGroup(address.isIpv4() ? RTNLGRP_IPV4_IFADDR : RTNLGRP_IPV6_IFADDR);
            AddressState now = addressState(link.index, address);
            if (now != AddressState.TENTATIVE || timeout.isZero() || timeout.isNegative()) {
                events.close();
                return CompletableFuture.completedFuture(now);
            }
            return new UsableWait(events, link.index, address, timeout).start();
        } catch (RuntimeException e) {
            events.close();
            throw e;
        }
    }

    @Override
    public AddressLifetimes lifetimes(String interfaceName, InterfaceAddress address) {
        Objects.requireNonNull(address, "address");
        Address found = findAddress(link(interfaceName).index, address);
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
        Link link = link(interfaceName);
        String operation = "set " + lifetimes + " on " + IpText.of(address) + " dev " + interfaceName + " in "
                + netns.describe();
        Address current = findAddress(link.index, address);
        if (current == null) {
            // A replace of a missing IPv6 address would add it (inet6_rtm_newaddr): refuse instead.
            throw new NetworkException(operation + " failed: the address is not on " + interfaceName,
                    Errno.EADDRNOTAVAIL);
        }
        socket.request(operation, lifetimesRequest(current, lifetimes));
    }

    @Override
    public List<SourceRoute> routesWithSource(InetAddress source) {
        Objects.requireNonNull(source, "source");
        int family = source instanceof Inet4Address ? LibC.AF_INET : LibC.AF_INET6;
        NetlinkRequest request = new NetlinkRequest(RTM_GETROUTE, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructRtMsg(family, 0, 0, 0, 0, 0, 0, 0, 0).pack(request.buffer());
        List<RouteMessage> matching = socket.transact("list routes in " + netns.describe(), request,
                        RouteMessage::parse).stream()
                .filter(m -> m.route().table != RT_TABLE_LOCAL && m.route().protocol != RTPROT_KERNEL
                        && source.equals(m.route().preferredSource))
                .toList();
        if (matching.isEmpty()) {
            return List.of();
        }
        Map<Integer, String> names = linkNames();
        return matching.stream().map(r -> new SourceRoute(routeText(r, names), routeKey(r))).toList();
    }

    @Override
    public void setRouteSource(SourceRoute route, InetAddress source) {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(source, "source");
        socket.request("set source " + IpText.of(source) + " on route " + route.text() + " in " + netns.describe(),
                routeWithSourceRequest(route.key(), source));
    }

    @Override
    public List<AddressRule> rulesSelecting(InetAddress address) {
        Objects.requireNonNull(address, "address");
        NetlinkRequest request = new NetlinkRequest(RTM_GETRULE, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructFibRuleHdr(address instanceof Inet4Address ? LibC.AF_INET : LibC.AF_INET6, 0, 0, 0, 0, 0, 0)
                .pack(request.buffer());
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

    @Override
    public void setConnectedRouteSource(String interfaceName, InterfaceAddress subnet, InetAddress preferredSource) {
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(preferredSource, "preferredSource");
        if (InterfaceAddress.maxPrefix(preferredSource) != InterfaceAddress.maxPrefix(subnet.address())) {
            throw new IllegalArgumentException("preferred source " + IpText.of(preferredSource)
                    + " is not of the same family as " + IpText.of(subnet));
        }
        Link link = link(interfaceName);
        Route existing = findConnectedRoute(link, subnet);
        // The kernel keys a route by (table, destination, tos, metric): replace the one it made, at its metric.
        int priority = existing != null ? existing.priority : (subnet.isIpv4() ? 0 : IP6_RT_PRIO_ADDRCONF);
        socket.request("set source " + IpText.of(preferredSource) + " on route " + IpText.of(subnet.network())
                + "/" + subnet.prefixLength() + " dev " + interfaceName + " in " + netns.describe(),
                routeSourceRequest(link.index, subnet, preferredSource, priority));
    }

    @Override
    public void deleteConnectedRoute(String interfaceName, InterfaceAddress subnet) {
        Objects.requireNonNull(subnet, "subnet");
        Link link = link(interfaceName);
        Route existing = findConnectedRoute(link, subnet);
        if (existing == null) {
            return;
        }
        NetlinkRequest request = new NetlinkRequest(RTM_DELROUTE, (short) (NLM_F_REQUEST | NLM_F_ACK));
        // Scope NOWHERE and type/protocol as found: the kernel matches only what is set (fib_table_delete).
        new StructRtMsg(family(subnet), subnet.prefixLength(), 0, 0, RT_TABLE_MAIN, existing.protocol,
                RT_SCOPE_NOWHERE, existing.type, 0).pack(request.buffer());
        if (subnet.prefixLength() > 0) {
            StructNlAttr.putAddress(request.buffer(), RTA_DST, subnet.network());
        }
        StructNlAttr.putU32(request.buffer(), RTA_OIF, link.index);
        if (existing.priority != 0) {
            StructNlAttr.putU32(request.buffer(), RTA_PRIORITY, existing.priority);
        }
        // ESRCH: someone else deleted it since the dump, which is what was asked.
        socket.requestUnlessDone("delete route " + IpText.of(subnet.network()) + "/" + subnet.prefixLength()
                + " dev " + interfaceName + " in " + netns.describe(), request, Errno.ESRCH);
    }

    @Override
    public InetAddress connectedRouteSource(String interfaceName, InterfaceAddress subnet) {
        Objects.requireNonNull(subnet, "subnet");
        Route route = findConnectedRoute(link(interfaceName), subnet);
        return route == null ? null : route.preferredSource;
    }

    /**
     * Whether the kernel promotes a secondary address when the primary of its subnet is removed on this
     * interface: its own {@code promote_secondaries} or that of {@code net.ipv4.conf.all}, which the kernel ORs
     * ({@code IN_DEV_ORCONF}). The interface's value comes from its IPv4 devconf in the link message, the
     * "all" value from /proc/sys read on the namespace's thread.
     */
    @Override
    public boolean promoteSecondaries(String interfaceName) {
        Link link = link(interfaceName);
        if (link.promoteSecondaries) {
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
        Link link = link(interfaceName);
        socket.request("set promote_secondaries=" + (enabled ? 1 : 0) + " on " + interfaceName + " in "
                + netns.describe(), promoteSecondariesRequest(link.index, enabled));
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
    private Link link(String interfaceName) {
        Objects.requireNonNull(interfaceName, "interfaceName");
        byte[] name = interfaceName.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > MAX_INTERFACE_NAME || interfaceName.contains("/")
                || interfaceName.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + interfaceName + "' is not an interface name (1-15 bytes, no / or spaces)");
        }
        NetlinkRequest request = new NetlinkRequest(RTM_GETLINK, (short) (NLM_F_REQUEST | NLM_F_ACK));
        new StructIfInfoMsg(LibC.AF_UNSPEC, 0, 0, 0, 0).pack(request.buffer());
        StructNlAttr.putU32(request.buffer(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        byte[] terminated = new byte[name.length + 1];
        System.arraycopy(name, 0, terminated, 0, name.length);
        StructNlAttr.putBytes(request.buffer(), IFLA_IFNAME, terminated);
        List<Link> links;
        try {
            links = socket.transact("look up interface " + interfaceName + " in " + netns.describe(), request, Link::parse);
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
    private Address findAddress(int index, InterfaceAddress address) {
        NetlinkRequest request = new NetlinkRequest(RTM_GETADDR, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructIfAddrMsg(family(address), 0, 0, 0, 0).pack(request.buffer());
        return socket.transact("list addresses in " + netns.describe(), request, Address::parse).stream()
                .filter(a -> a.is(index, address))
                .findFirst()
                .orElse(null);
    }

    private AddressState addressState(int index, InterfaceAddress address) {
        Address found = findAddress(index, address);
        return found == null ? AddressState.ABSENT : found.state();
    }

    private Map<Integer, String> linkNames() {
        NetlinkRequest links = new NetlinkRequest(RTM_GETLINK, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructIfInfoMsg(LibC.AF_UNSPEC, 0, 0, 0, 0).pack(links.buffer());
        StructNlAttr.putU32(links.buffer(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        Map<Integer, String> names = new LinkedHashMap<>();
        for (Link link : socket.transact("list interfaces in " + netns.describe(), links, Link::parse)) {
            names.put(link.index, link.name);
        }
        return names;
    }

    /** The main-table unicast route of the subnet's network out of this interface, kernel-made first. */
    private Route findConnectedRoute(Link link, InterfaceAddress subnet) {
        NetlinkRequest request = new NetlinkRequest(RTM_GETROUTE, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructRtMsg(family(subnet), 0, 0, 0, 0, 0, 0, 0, 0).pack(request.buffer());
        InetAddress network = subnet.network();
        List<Route> routes = socket.transact("list routes in " + netns.describe(), request, Route::parse);
        return routes.stream()
                .filter(r -> r.table == RT_TABLE_MAIN && r.type == RTN_UNICAST && r.outputInterface == link.index
                        && r.dstLength == subnet.prefixLength()
                        && (subnet.prefixLength() == 0 ? r.destination == null : network.equals(r.destination)))
                .min(Comparator.comparingInt((Route r) -> r.protocol == RTPROT_KERNEL ? 0 : 1)
                        .thenComparingInt(r -> r.priority))
                .orElse(null);
    }

    /** RTM_NEWADDR as {@code ip addr add A/P brd + dev IF} sends it (create, fail if it exists). */
    static NetlinkRequest newAddressRequest(int index, InterfaceAddress address) {
        NetlinkRequest request = new NetlinkRequest(RTM_NEWADDR,
                (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
        putAddress(request, index, address);
        InetAddress broadcast = broadcast(address);
        if (broadcast != null) {
            StructNlAttr.putAddress(request.buffer(), IFA_BROADCAST, broadcast);
        }
        return request;
    }

    /**
     * RTM_DELADDR of exactly this address and prefix. Unlike {@code ip addr del}, it sends IFA_ADDRESS too:
     * only then does the kernel compare the prefix length (inet_rtm_deladdr), so 10.9.0.7/16 cannot go in
     * place of 10.9.0.7/24.
     */
    static NetlinkRequest deleteAddressRequest(int index, InterfaceAddress address) {
        NetlinkRequest request = new NetlinkRequest(RTM_DELADDR, (short) (NLM_F_REQUEST | NLM_F_ACK));
        putAddress(request, index, address);
        return request;
    }

    /**
     * RTM_NEWADDR with NLM_F_REPLACE giving an existing address new lifetimes, as
     * {@code ip addr change A/P dev IF preferred_lft P valid_lft V} sends it, plus what the kernel would otherwise
     * reset: the replaceable flags ({@code nodad}, {@code noprefixroute}, ...), IFA_RT_PRIORITY (IPv4 re-metrics
     * the prefix route to 0 without it) and IFA_PROTO.
     */
    static NetlinkRequest lifetimesRequest(Address current, AddressLifetimes lifetimes) {
        NetlinkRequest request = new NetlinkRequest(RTM_NEWADDR, (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE));
        int flags = current.flags() & REPLACEABLE_ADDRESS_FLAGS;
        InterfaceAddress address = current.address();
        new StructIfAddrMsg(family(address), address.prefixLength(), flags & 0xff, current.scope(), current.index())
                .pack(request.buffer());
        StructNlAttr.putAddress(request.buffer(), IFA_LOCAL, address.address());
        StructNlAttr.putAddress(request.buffer(), IFA_ADDRESS, address.address());
        StructNlAttr.putU32(request.buffer(), IFA_FLAGS, flags);
        ByteBuffer cacheinfo = ByteBuffer.allocate(StructIfaCacheinfo.SIZE).order(ByteOrder.nativeOrder());
        new StructIfaCacheinfo(lifetimes.preferredSeconds(), lifetimes.validSeconds(), 0, 0).pack(cacheinfo);
        StructNlAttr.putBytes(request.buffer(), IFA_CACHEINFO, cacheinfo.array());
        if (current.routePriority() != 0) {
            StructNlAttr.putU32(request.buffer(), IFA_RT_PRIORITY, current.routePriority());
        }
        if (current.protocol() != 0) {
            StructNlAttr.putBytes(request.buffer(), IFA_PROTO, new byte[] {(byte) current.protocol()});
        }
        return request;
    }

    /**
     * The key of a dumped route: its rtmsg and the attributes that describe it in a request, without the preferred
     * source, in kernel byte layout, as hex. Of the flags, of the route and of each path of a multipath route, only
     * {@code onlink} is kept: the others are state ({@code linkdown}, {@code dead}, {@code offload}), and the kernel
     * refuses a path sent back with {@code dead} or {@code linkdown} (fib_get_nhs). A route through a nexthop
     * object keeps its RTA_NH_ID and neither the path nor its flags: they are the object's, and the dump reports
     * the object's {@code onlink} as the route's.
     */
    static String routeKey(RouteMessage route) {
        ByteBuffer key = ByteBuffer.allocate(ROUTE_KEY_CAPACITY).order(ByteOrder.nativeOrder());
        StructRtMsg h = route.header();
        boolean nexthopObject = route.nexthopId() != null;
        new StructRtMsg(h.family(), h.dstLength(), h.srcLength(), h.tos(), h.table(), h.protocol(), h.scope(),
                h.type(), nexthopObject ? 0 : h.flags() & RTNH_F_ONLINK).pack(key);
        for (StructNlAttr attribute : route.attributes()) {
            if (nexthopObject && PATH_ATTRIBUTES.contains(attribute.kind())) {
                continue;
            }
            if (attribute.kind() == RTA_MULTIPATH) {
                packMultipath(key, attribute.rawType(), route.nexthops());
            } else if (ROUTE_KEY_ATTRIBUTES.contains(attribute.kind())) {
                attribute.pack(key);
            }
        }
        return ROUTE_KEY_PREFIX + HexFormat.of().formatHex(key.array(), 0, key.position());
    }

    private static void packMultipath(ByteBuffer key, int type, List<Nexthop> nexthops) {
        int start = key.position();
        key.putShort((short) 0).putShort((short) type);
        for (Nexthop nexthop : nexthops) {
            int path = key.position();
            StructRtNexthop h = nexthop.header();
            new StructRtNexthop(0, h.flags() & RTNH_F_ONLINK, h.hops(), h.ifindex()).pack(key);
            nexthop.attributes().forEach(a -> a.pack(key));
            key.putShort(path, (short) (key.position() - path));
        }
        StructNlAttr.endNested(key, start);
    }

    /**
     * RTM_NEWROUTE with NLM_F_CREATE | NLM_F_REPLACE of the keyed route with RTA_PREFSRC {@code source}: the
     * kernel replaces the route with the same table, destination, tos and metric (IPv4) or destination, source
     * prefix and metric (IPv6), or creates it when it has gone.
     */
    static NetlinkRequest routeWithSourceRequest(String key, InetAddress source) {
        if (!key.startsWith(ROUTE_KEY_PREFIX)) {
            throw new IllegalArgumentException("'" + key + "' is not a route key of this adapter");
        }
        byte[] template = HexFormat.of().parseHex(key, ROUTE_KEY_PREFIX.length(), key.length());
        int family = template.length < StructRtMsg.SIZE ? -1 : template[0] & 0xff;
        int sourceFamily = source instanceof Inet4Address ? LibC.AF_INET : LibC.AF_INET6;
        if (family != sourceFamily) {
            throw new IllegalArgumentException("source " + IpText.of(source) + " does not fit the route " + key);
        }
        NetlinkRequest request = new NetlinkRequest(RTM_NEWROUTE,
                (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE));
        request.buffer().put(template);
        StructNlAttr.putAddress(request.buffer(), RTA_PREFSRC, source);
        return request;
    }

    /**
     * A route as iproute2 would print it, on one line and without its source:
     * {@code 192.0.2.0/24 via 10.9.0.2 dev v0 table 100 metric 5}, for a multipath route
     * {@code 203.0.113.0/24 nexthop via 10.9.0.2 dev v0 weight 1 nexthop via 10.9.0.3 dev v0 weight 3}, and for
     * one through a nexthop object {@code 198.51.100.0/24 nhid 10 via 10.9.0.2 dev v0}.
     */
    static String routeText(RouteMessage message, Map<Integer, String> interfaceNames) {
        Route route = message.route();
        StringBuilder text = new StringBuilder(route.dstLength == 0 ? "default"
                : IpText.of(route.destination) + "/" + route.dstLength);
        if (message.nexthopId() != null) {
            text.append(" nhid ").append(Integer.toUnsignedString(message.nexthopId()));
        }
        appendPath(text, message.attributes(), route.outputInterface, interfaceNames);
        if (route.table != RT_TABLE_MAIN) {
            text.append(" table ").append(tableName(route.table));
        }
        if (route.protocol != RTPROT_BOOT) {
            text.append(" proto ").append(protocolName(route.protocol));
        }
        if (route.priority != 0) {
            text.append(" metric ").append(Integer.toUnsignedString(route.priority));
        }
        for (Nexthop nexthop : message.nexthops()) {
            text.append(" nexthop");
            appendPath(text, nexthop.attributes(), nexthop.header().ifindex(), interfaceNames);
            text.append(" weight ").append(nexthop.header().weight());
        }
        return text.toString();
    }

    private static void appendPath(StringBuilder text, List<StructNlAttr> attributes, int outputInterface,
                                   Map<Integer, String> interfaceNames) {
        StructNlAttr gateway = StructNlAttr.find(attributes, RTA_GATEWAY);
        if (gateway != null) {
            text.append(" via ").append(IpText.of(gateway.asInetAddress()));
        }
        if (outputInterface != 0) {
            text.append(" dev ").append(interfaceNames.getOrDefault(outputInterface, "if" + outputInterface));
        }
    }

    /** A routing table as iproute2 names it without {@code /etc/iproute2/rt_tables} entries of its own. */
    static String tableName(int table) {
        return switch (table) {
            case RT_TABLE_DEFAULT -> "default";
            case RT_TABLE_MAIN -> "main";
            case RT_TABLE_LOCAL -> "local";
            default -> Integer.toUnsignedString(table);
        };
    }

    /** A route or rule protocol (RTPROT_*) as iproute2 names it. */
    static String protocolName(int protocol) {
        return switch (protocol) {
            case RTPROT_KERNEL -> "kernel";
            case RTPROT_BOOT -> "boot";
            case RTPROT_STATIC -> "static";
            case RTPROT_RA -> "ra";
            case RTPROT_DHCP -> "dhcp";
            default -> String.valueOf(protocol);
        };
    }

    /**
     * RTM_NEWROUTE replacing the connected route, as
     * {@code ip route replace NET/P dev IF proto kernel scope link src SOURCE [metric M]} sends it.
     */
    static NetlinkRequest routeSourceRequest(int index, InterfaceAddress subnet, InetAddress source, int priority) {
        NetlinkRequest request = new NetlinkRequest(RTM_NEWROUTE,
                (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE));
        // IPv6 routes all have scope universe; IPv4 connected routes have scope link.
        new StructRtMsg(family(subnet), subnet.prefixLength(), 0, 0, RT_TABLE_MAIN, RTPROT_KERNEL,
                subnet.isIpv4() ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE, RTN_UNICAST, 0).pack(request.buffer());
        if (subnet.prefixLength() > 0) {
            StructNlAttr.putAddress(request.buffer(), RTA_DST, subnet.network());
        }
        StructNlAttr.putAddress(request.buffer(), RTA_PREFSRC, source);
        StructNlAttr.putU32(request.buffer(), RTA_OIF, index);
        if (priority != 0) {
            StructNlAttr.putU32(request.buffer(), RTA_PRIORITY, priority);
        }
        return request;
    }

    /** RTM_SETLINK with IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { [PROMOTE_SECONDARIES] = u32 } } }. */
    static NetlinkRequest promoteSecondariesRequest(int index, boolean enabled) {
        NetlinkRequest request = new NetlinkRequest(RTM_SETLINK, (short) (NLM_F_REQUEST | NLM_F_ACK));
        new StructIfInfoMsg(LibC.AF_UNSPEC, 0, index, 0, 0).pack(request.buffer());
        ByteBuffer b = request.buffer();
        int afSpec = StructNlAttr.beginNested(b, IFLA_AF_SPEC);
        int inet = StructNlAttr.beginNested(b, LibC.AF_INET);
        int conf = StructNlAttr.beginNested(b, IFLA_INET_CONF);
        StructNlAttr.putU32(b, IPV4_DEVCONF_PROMOTE_SECONDARIES, enabled ? 1 : 0);
        StructNlAttr.endNested(b, conf);
        StructNlAttr.endNested(b, inet);
        StructNlAttr.endNested(b, afSpec);
        return request;
    }

    private static void putAddress(NetlinkRequest request, int index, InterfaceAddress address) {
        new StructIfAddrMsg(family(address), address.prefixLength(), 0, RT_SCOPE_UNIVERSE, index).pack(request.buffer());
        StructNlAttr.putAddress(request.buffer(), IFA_LOCAL, address.address());
        StructNlAttr.putAddress(request.buffer(), IFA_ADDRESS, address.address());
    }

    /** The subnet's broadcast address as {@code brd +} computes it, or null (IPv6, /31, /32). */
    static InetAddress broadcast(InterfaceAddress address) {
        if (!(address.address() instanceof Inet4Address) || address.prefixLength() > 30) {
            return null;
        }
        byte[] bytes = address.address().getAddress();
        for (int bit = address.prefixLength(); bit < 32; bit++) {
            bytes[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        return IpLiterals.fromBytes(bytes);
    }

    private static int family(InterfaceAddress address) {
        return address.isIpv4() ? LibC.AF_INET : LibC.AF_INET6;
    }

    /** What this class needs of an RTM_NEWLINK message. */
    record Link(int index, String name, boolean promoteSecondaries) {

        static Link parse(NetlinkMessage message) {
            if (message.type() != RTM_NEWLINK) {
                return null;
            }
            ByteBuffer body = message.body();
            StructIfInfoMsg info = StructIfInfoMsg.parse(body);
            List<StructNlAttr> attributes = StructNlAttr.parseAll(body);
            StructNlAttr name = StructNlAttr.find(attributes, IFLA_IFNAME);
            return new Link(info.index(), name == null ? "if" + info.index() : name.asString(),
                    devconf(attributes, IPV4_DEVCONF_PROMOTE_SECONDARIES) == 1);
        }

        /**
         * An IPv4 devconf value from IFLA_AF_SPEC / AF_INET / IFLA_INET_CONF. In this direction (kernel to user)
         * IFLA_INET_CONF is a plain array of u32, value {@code i} at index {@code i - 1}; -1 when absent.
         */
        static int devconf(List<StructNlAttr> linkAttributes, int index) {
            StructNlAttr afSpec = StructNlAttr.find(linkAttributes, IFLA_AF_SPEC);
            StructNlAttr inet = afSpec == null ? null : StructNlAttr.find(afSpec.nested(), LibC.AF_INET);
            StructNlAttr conf = inet == null ? null : StructNlAttr.find(inet.nested(), IFLA_INET_CONF);
            if (conf == null || conf.length() - StructNlAttr.HEADER_SIZE < index * 4) {
                return -1;
            }
            return conf.valueBuffer().getInt((index - 1) * 4);
        }
    }

    /**
     * One address of an RTM_NEWADDR (or, as an event, RTM_DELADDR) message.
     *
     * @param flags         all IFA_F_* flags (IFA_FLAGS, or the header's 8 bits)
     * @param cacheinfo     lifetimes left, null when the message has none
     * @param routePriority IFA_RT_PRIORITY, 0 when absent
     * @param protocol      IFA_PROTO, 0 when absent
     * @param label         IFA_LABEL (IPv4 only), null when absent
     */
    record Address(int index, InterfaceAddress address, int flags, int scope, StructIfaCacheinfo cacheinfo,
            int routePriority, int protocol, String label) {

        static Address parse(NetlinkMessage message) {
            if (message.type() != RTM_NEWADDR) {
                return null;
            }
            return parseBody(message);
        }

        /** An address event: RTM_NEWADDR (added or changed) or RTM_DELADDR (removed); null for anything else. */
        static Address parseEvent(NetlinkMessage message) {
            if (message.type() != RTM_NEWADDR && message.type() != RTM_DELADDR) {
                return null;
            }
            return parseBody(message);
        }

        private static Address parseBody(NetlinkMessage message) {
            ByteBuffer body = message.body();
            StructIfAddrMsg header = StructIfAddrMsg.parse(body);
            List<StructNlAttr> attributes = StructNlAttr.parseAll(body);
            // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links (and
            // the only one IPv6 sends).
            StructNlAttr local = StructNlAttr.find(attributes, IFA_LOCAL);
            StructNlAttr chosen = local != null ? local : StructNlAttr.find(attributes, IFA_ADDRESS);
            if (chosen == null) {
                return null;
            }
            StructNlAttr flags = StructNlAttr.find(attributes, IFA_FLAGS);
            StructNlAttr cacheinfo = StructNlAttr.find(attributes, IFA_CACHEINFO);
            StructNlAttr priority = StructNlAttr.find(attributes, IFA_RT_PRIORITY);
            StructNlAttr protocol = StructNlAttr.find(attributes, IFA_PROTO);
            StructNlAttr label = StructNlAttr.find(attributes, IFA_LABEL);
            return new Address(header.index(), new InterfaceAddress(chosen.asInetAddress(), header.prefixLength()),
                    flags != null ? flags.asU32() : header.flags(), header.scope(),
                    cacheinfo == null || cacheinfo.length() - StructNlAttr.HEADER_SIZE < StructIfaCacheinfo.SIZE
                            ? null : StructIfaCacheinfo.parse(cacheinfo.valueBuffer()),
                    priority == null ? 0 : priority.asU32(), protocol == null ? 0 : protocol.asU8(),
                    label == null ? null : label.asString());
        }

        boolean is(int interfaceIndex, InterfaceAddress other) {
            return index == interfaceIndex && address.equals(other);
        }

        /**
         * {@code dadfailed} first: the kernel leaves a duplicate {@code tentative} too. An optimistic address
         * (RFC 4429) may be used while DAD runs.
         */
        AddressState state() {
            if ((flags & IFA_F_DADFAILED) != 0) {
                return AddressState.DUPLICATE;
            }
            if ((flags & IFA_F_TENTATIVE) != 0 && (flags & IFA_F_OPTIMISTIC) == 0) {
                return AddressState.TENTATIVE;
            }
            return AddressState.USABLE;
        }

        AddressLifetimes lifetimes() {
            if (cacheinfo == null) {
                return AddressLifetimes.PERMANENT;
            }
            long valid = Math.min(cacheinfo.valid(), AddressLifetimes.FOREVER);
            return new AddressLifetimes(Math.min(cacheinfo.preferred(), valid), valid);
        }
    }

    /** What this class needs of an RTM_NEWROUTE message. */
    record Route(int table, int protocol, int scope, int type, int dstLength, InetAddress destination,
            int outputInterface, InetAddress preferredSource, int priority) {

        static Route parse(NetlinkMessage message) {
            if (message.type() != RTM_NEWROUTE) {
                return null;
            }
            ByteBuffer body = message.body();
            StructRtMsg rt = StructRtMsg.parse(body);
            List<StructNlAttr> attributes = StructNlAttr.parseAll(body);
            StructNlAttr table = StructNlAttr.find(attributes, RTA_TABLE);
            StructNlAttr dst = StructNlAttr.find(attributes, RTA_DST);
            StructNlAttr oif = StructNlAttr.find(attributes, RTA_OIF);
            StructNlAttr prefsrc = StructNlAttr.find(attributes, RTA_PREFSRC);
            StructNlAttr priority = StructNlAttr.find(attributes, RTA_PRIORITY);
            return new Route(table != null ? table.asU32() : rt.table(), rt.protocol(), rt.scope(), rt.type(),
                    rt.dstLength(), dst == null ? null : dst.asInetAddress(), oif == null ? 0 : oif.asU32(),
                    prefsrc == null ? null : prefsrc.asInetAddress(), priority == null ? 0 : priority.asU32());
        }
    }

    /** A dumped route with what it takes to send it back to the kernel: its rtmsg and all its attributes. */
    record RouteMessage(Route route, StructRtMsg header, List<StructNlAttr> attributes) {

        static RouteMessage parse(NetlinkMessage message) {
            Route route = Route.parse(message);
            if (route == null) {
                return null;
            }
            ByteBuffer body = message.body();
            StructRtMsg header = StructRtMsg.parse(body);
            return new RouteMessage(route, header, StructNlAttr.parseAll(body));
        }

        /** The nexthop object the route goes through ({@code nhid}, RTA_NH_ID), or null. */
        Integer nexthopId() {
            StructNlAttr id = StructNlAttr.find(attributes, RTA_NH_ID);
            return id == null ? null : id.asU32();
        }

        /** The paths of a multipath route (RTA_MULTIPATH), in the kernel's order; empty for a single path. */
        List<Nexthop> nexthops() {
            StructNlAttr multipath = StructNlAttr.find(attributes, RTA_MULTIPATH);
            return multipath == null ? List.of() : Nexthop.parseAll(multipath.valueBuffer());
        }
    }

    /** One path of a multipath route: its rtnexthop and the attributes that follow it (RTA_GATEWAY, ...). */
    record Nexthop(StructRtNexthop header, List<StructNlAttr> attributes) {

        static List<Nexthop> parseAll(ByteBuffer buffer) {
            List<Nexthop> nexthops = new ArrayList<>();
            while (buffer.remaining() >= StructRtNexthop.SIZE) {
                int start = buffer.position();
                StructRtNexthop header = StructRtNexthop.parse(buffer);
                if (header.length() < StructRtNexthop.SIZE || header.length() > buffer.limit() - start) {
                    throw new IllegalArgumentException("malformed rtnexthop: rtnh_len " + header.length()
                            + " at offset " + start + " with " + (buffer.limit() - start) + " bytes left");
                }
                ByteBuffer attributes = buffer.slice(start + StructRtNexthop.SIZE,
                        header.length() - StructRtNexthop.SIZE).order(ByteOrder.nativeOrder());
                nexthops.add(new Nexthop(header, StructNlAttr.parseAll(attributes)));
                buffer.position(Math.min(buffer.limit(), start + StructNlMsgHdr.align(header.length())));
            }
            return nexthops;
        }
    }

    /**
     * Reads address events of one subscribed socket on its own thread until the address is no longer tentative,
     * the deadline passes, or the future is completed from outside (cancelled): completing it signals the eventfd
     * the thread polls next to the socket. The thread closes the socket and the eventfd.
     */
    private final class UsableWait {
        private final CompletableFuture<AddressState> result = new CompletableFuture<>();
        private final NetlinkSocket events;
        private final EventFd wakeup;
        private final int index;
        private final InterfaceAddress address;
        private final long deadline;

        UsableWait(NetlinkSocket events, int index, InterfaceAddress address, Duration timeout) {
            this.events = events;
            this.wakeup = new EventFd();
            this.index = index;
            this.address = address;
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        CompletableFuture<AddressState> start() {
            result.whenComplete((state, error) -> wakeup.signal());
            Thread thread = new Thread(this::run, "renumber-dad-" + IpText.of(address.address()));
            thread.setDaemon(true);
            thread.start();
            return result;
        }

        private void run() {
            try {
                AddressState state = AddressState.TENTATIVE;
                while (state == AddressState.TENTATIVE && !result.isDone()) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        break;
                    }
                    if (events.awaitReadable(wakeup, (int) Math.min(left, Integer.MAX_VALUE))) {
                        state = readEvents(state);
                    }
                }
                result.complete(state);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            } finally {
                events.close();
                wakeup.close();
            }
        }

        private AddressState readEvents(AddressState state) {
            AddressState[] latest = {state};
            try {
                events.receiveEvents(message -> {
                    Address event = Address.parseEvent(message);
                    if (event != null && event.is(index, address)) {
                        latest[0] = message.type() == RTM_DELADDR ? AddressState.ABSENT : event.state();
                    }
                });
                return latest[0];
            } catch (NetworkException e) {
                if (e.errno() != Errno.ENOBUFS) {
                    throw e;
                }
                return addressState(index, address); // events were lost: look again
            }
        }
    }
}
