package org.renumber.linux.rtnl;

import static org.renumber.linux.netlink.NetlinkConstants.IFA_ADDRESS;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_BROADCAST;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_CACHEINFO;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_FLAGS;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_F_DADFAILED;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_F_HOMEADDRESS;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_F_MANAGETEMPADDR;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_F_MCAUTOJOIN;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_F_NODAD;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_F_NOPREFIXROUTE;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_F_OPTIMISTIC;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_F_TENTATIVE;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_LABEL;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_LOCAL;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_PROTO;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_RT_PRIORITY;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_AF_SPEC;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_EXT_MASK;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_IFNAME;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_INET_CONF;
import static org.renumber.linux.netlink.NetlinkConstants.IP6_RT_PRIO_ADDRCONF;
import static org.renumber.linux.netlink.NetlinkConstants.IPV4_DEVCONF_PROMOTE_SECONDARIES;
import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_ROUTE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_CREATE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_DUMP;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_EXCL;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REPLACE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_DST;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_OIF;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_PRIORITY;
import static org.renumber.linux.netlink.NetlinkConstants.RTEXT_FILTER_SKIP_STATS;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_DELADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_GETADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_GETLINK;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_GETRULE;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWLINK;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_SETLINK;
import static org.renumber.linux.netlink.NetlinkConstants.RTNLGRP_IPV4_IFADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTNLGRP_IPV6_IFADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTN_UNICAST;
import static org.renumber.linux.netlink.NetlinkConstants.RTPROT_KERNEL;
import static org.renumber.linux.netlink.NetlinkConstants.RT_SCOPE_LINK;
import static org.renumber.linux.netlink.NetlinkConstants.RT_SCOPE_UNIVERSE;
import static org.renumber.linux.netlink.NetlinkConstants.RT_TABLE_LOCAL;
import static org.renumber.linux.netlink.NetlinkConstants.RT_TABLE_MAIN;

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
import org.renumber.linux.Errno;
import org.renumber.linux.IpText;
import org.renumber.linux.LibC;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.netlink.EventFd;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.NetlinkSocket;
import org.renumber.linux.netlink.StructNlAttr;
import org.renumber.linux.rtnl.NetlinkLinks.Link;

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
            result.add(new NetInterface(link.index(), link.name(), byIndex.getOrDefault(link.index(), List.of())));
        }
        return result;
    }

    @Override
    public void addAddress(String interfaceName, InterfaceAddress address) {
        Objects.requireNonNull(address, "address");
        Link link = link(interfaceName);
        socket.request("add address " + IpText.of(address) + " to " + interfaceName + " in " + netns.describe(),
                newAddressRequest(link.index(), address));
    }

    @Override
    public void removeAddress(String interfaceName, InterfaceAddress address) {
        Objects.requireNonNull(address, "address");
        Link link = link(interfaceName);
        socket.request("remove address " + IpText.of(address) + " from " + interfaceName + " in " + netns.describe(),
                deleteAddressRequest(link.index(), address));
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
        NetlinkSocket events = NetlinkSocket.openIn(netns, NETLINK_ROUTE);
        try {
            events.joinGroup(address.isIpv4() ? RTNLGRP_IPV4_IFADDR : RTNLGRP_IPV6_IFADDR);
            AddressState now = addressState(link.index(), address);
            if (now != AddressState.TENTATIVE || timeout.isZero() || timeout.isNegative()) {
                events.close();
                return CompletableFuture.completedFuture(now);
            }
            return new UsableWait(events, link.index(), address, timeout).start();
        } catch (RuntimeException e) {
            events.close();
            throw e;
        }
    }

    @Override
    public AddressLifetimes lifetimes(String interfaceName, InterfaceAddress address) {
        Objects.requireNonNull(address, "address");
        Address found = findAddress(link(interfaceName).index(), address);
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
        Address current = findAddress(link.index(), address);
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
        Link link = link(interfaceName);
        RouteMessage existing = findConnectedRoute(link, subnet);
        String key = existing != null ? existing.key() : connectedRouteKey(link.index(), subnet);
        routes.setSource(key, preferredSource, connectedRouteText(subnet, interfaceName));
    }

    /** Every route of the interface's connected route's key, whatever its source; none is fine. */
    @Override
    public void deleteConnectedRoute(String interfaceName, InterfaceAddress subnet) {
        Objects.requireNonNull(subnet, "subnet");
        Link link = link(interfaceName);
        RouteMessage existing = findConnectedRoute(link, subnet);
        if (existing == null) {
            return;
        }
        String key = existing.key();
        for (RouteMessage route : routes.dump(family(subnet))) {
            if (route.is(key)) {
                routes.delete(route, connectedRouteText(subnet, interfaceName));
            }
        }
    }

    @Override
    public InetAddress connectedRouteSource(String interfaceName, InterfaceAddress subnet) {
        Objects.requireNonNull(subnet, "subnet");
        RouteMessage route = findConnectedRoute(link(interfaceName), subnet);
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
        Link link = link(interfaceName);
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
        Link link = link(interfaceName);
        socket.request("set promote_secondaries=" + (enabled ? 1 : 0) + " on " + interfaceName + " in "
                + netns.describe(), promoteSecondariesRequest(link.index(), enabled));
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
            names.put(link.index(), link.name());
        }
        return names;
    }

    /** The main-table unicast route of the subnet's network out of this interface, kernel-made first. */
    private RouteMessage findConnectedRoute(Link link, InterfaceAddress subnet) {
        InetAddress network = subnet.network();
        return routes.dump(family(subnet)).stream()
                .filter(m -> {
                    RouteMessage.Route r = m.route();
                    return r.table() == RT_TABLE_MAIN && r.type() == RTN_UNICAST && r.outputInterface() == link.index()
                            && r.dstLength() == subnet.prefixLength()
                            && (subnet.prefixLength() == 0 ? r.destination() == null : network.equals(r.destination()));
                })
                .min(Comparator.comparingInt((RouteMessage m) -> m.route().protocol() == RTPROT_KERNEL ? 0 : 1)
                        .thenComparingInt(m -> m.route().priority()))
                .orElse(null);
    }

    private static String connectedRouteText(InterfaceAddress subnet, String interfaceName) {
        return IpText.of(subnet.network()) + "/" + subnet.prefixLength() + " dev " + interfaceName;
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
     * The key of the connected route the kernel makes for an address of {@code subnet} on the interface
     * ({@code NET/P dev IF proto kernel scope link [metric 256]}): for an interface that has none.
     */
    static String connectedRouteKey(int index, InterfaceAddress subnet) {
        ByteBuffer key = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        // IPv6 routes all have scope universe; IPv4 connected routes have scope link.
        new StructRtMsg(family(subnet), subnet.prefixLength(), 0, 0, RT_TABLE_MAIN, RTPROT_KERNEL,
                subnet.isIpv4() ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE, RTN_UNICAST, 0).pack(key);
        if (subnet.prefixLength() > 0) {
            StructNlAttr.putAddress(key, RTA_DST, subnet.network());
        }
        StructNlAttr.putU32(key, RTA_OIF, index);
        if (subnet.isIpv6()) {
            StructNlAttr.putU32(key, RTA_PRIORITY, IP6_RT_PRIO_ADDRCONF);
        }
        return RouteMessage.KEY_PREFIX + HexFormat.of().formatHex(key.array(), 0, key.position());
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
