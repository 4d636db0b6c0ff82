package org.renumber.linux.rtnl;

import static org.renumber.linux.netlink.NetlinkConstants.IP6_RT_PRIO_ADDRCONF;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_DUMP;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_DST;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_ENCAP;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_ENCAP_TYPE;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_FLOW;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_GATEWAY;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_METRICS;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_MULTIPATH;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_NH_ID;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_OIF;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_PREF;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_PREFSRC;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_PRIORITY;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_SRC;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_TABLE;
import static org.renumber.linux.netlink.NetlinkConstants.RTA_VIA;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_GETROUTE;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWROUTE;
import static org.renumber.linux.netlink.NetlinkConstants.RTNH_F_ONLINK;
import static org.renumber.linux.netlink.NetlinkConstants.RTN_UNICAST;
import static org.renumber.linux.netlink.NetlinkConstants.RTPROT_BOOT;
import static org.renumber.linux.netlink.NetlinkConstants.RTPROT_DHCP;
import static org.renumber.linux.netlink.NetlinkConstants.RTPROT_KERNEL;
import static org.renumber.linux.netlink.NetlinkConstants.RTPROT_RA;
import static org.renumber.linux.netlink.NetlinkConstants.RTPROT_STATIC;
import static org.renumber.linux.netlink.NetlinkConstants.RT_SCOPE_LINK;
import static org.renumber.linux.netlink.NetlinkConstants.RT_SCOPE_UNIVERSE;
import static org.renumber.linux.netlink.NetlinkConstants.RT_TABLE_DEFAULT;
import static org.renumber.linux.netlink.NetlinkConstants.RT_TABLE_LOCAL;
import static org.renumber.linux.netlink.NetlinkConstants.RT_TABLE_MAIN;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.renumber.domain.InterfaceAddress;
import org.renumber.linux.IpText;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.StructNlAttr;
import org.renumber.linux.netlink.StructNlMsgHdr;

/**
 * A dumped route (RTM_NEWROUTE) with what it takes to name it in a request: its rtmsg and all its attributes.
 * Its {@link #key() key} is the route without its preferred source, so a route keeps its key while its source
 * moves, and a request built from the key plus a source names exactly one route.
 */
record RouteMessage(Route route, StructRtMsg header, List<StructNlAttr> attributes) {

    /**
     * The route attributes that describe a route in a request (rtm_to_fib_config, rtm_to_fib6_config). A dumped
     * route also carries read-only ones (RTA_CACHEINFO) and its preferred source; RTA_TABLE repeats rtm_table.
     */
    private static final Set<Integer> KEY_ATTRIBUTES = Set.of(RTA_DST, RTA_SRC, RTA_OIF, RTA_GATEWAY,
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
    private static final int KEY_CAPACITY = 4000;
    /** Version tag of the route key format in journals. */
    static final String KEY_PREFIX = "rtmsg1:";

    /** What the adapter reads of a route. */
    record Route(int table, int protocol, int scope, int type, int dstLength, InetAddress destination,
                 int outputInterface, InetAddress preferredSource, int priority) {
    }

    static RouteMessage parse(NetlinkMessage message) {
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
        Route route = new Route(table != null ? table.asU32() : rt.table(), rt.protocol(), rt.scope(), rt.type(),
                rt.dstLength(), dst == null ? null : dst.asInetAddress(), oif == null ? 0 : oif.asU32(),
                prefsrc == null ? null : prefsrc.asInetAddress(), priority == null ? 0 : priority.asU32());
        return new RouteMessage(route, rt, attributes);
    }

    int family() {
        return header.family();
    }

    InetAddress preferredSource() {
        return route.preferredSource();
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

    /**
     * Where the kernel files the route among others: family, table, destination, source prefix, tos and metric
     * (fib_table_insert's fib_alias list; fib6_add_rt2node's leaf list). Routes of one slot differ in device,
     * gateway, type or source; the first of them carries the traffic, and NLM_F_REPLACE replaces the first of
     * them whatever its device, which is why no request here replaces a route it has not seen first in its slot.
     */
    String slot() {
        StructNlAttr source = StructNlAttr.find(attributes, RTA_SRC);
        return family() + " " + route.table() + " " + route.destination() + "/" + route.dstLength() + " "
                + (source == null ? "" : source.asInetAddress()) + "/" + header.srcLength() + " " + header.tos()
                + " " + Integer.toUnsignedString(route.priority());
    }

    /**
     * The key of a dumped route: its rtmsg and the attributes that describe it in a request, without the preferred
     * source, in kernel byte layout, as hex. Of the flags, of the route and of each path of a multipath route, only
     * {@code onlink} is kept: the others are state ({@code linkdown}, {@code dead}, {@code offload}), and the kernel
     * refuses a path sent back with {@code dead} or {@code linkdown} (fib_get_nhs). A route through a nexthop
     * object keeps its RTA_NH_ID and neither the path nor its flags: they are the object's, and the dump reports
     * the object's {@code onlink} as the route's.
     */
    String key() {
        ByteBuffer key = ByteBuffer.allocate(KEY_CAPACITY).order(ByteOrder.nativeOrder());
        StructRtMsg h = header;
        boolean nexthopObject = nexthopId() != null;
        new StructRtMsg(h.family(), h.dstLength(), h.srcLength(), h.tos(), h.table(), h.protocol(), h.scope(),
                h.type(), nexthopObject ? 0 : h.flags() & RTNH_F_ONLINK).pack(key);
        for (StructNlAttr attribute : attributes) {
            if (nexthopObject && PATH_ATTRIBUTES.contains(attribute.kind())) {
                continue;
            }
            if (attribute.kind() == RTA_MULTIPATH) {
                packMultipath(key, attribute.rawType(), nexthops());
            } else if (KEY_ATTRIBUTES.contains(attribute.kind())) {
                attribute.pack(key);
            }
        }
        return KEY_PREFIX + HexFormat.of().formatHex(key.array(), 0, key.position());
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
     * The key of the connected route the kernel makes for an address of {@code subnet} on the interface
     * ({@code NET/P dev IF proto kernel scope link [metric 256]}): for an interface that has none.
     */
    static String connectedKey(int index, InterfaceAddress subnet) {
        ByteBuffer key = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        // IPv6 routes all have scope universe; IPv4 connected routes have scope link.
        new StructRtMsg(AddressMessage.family(subnet), subnet.prefixLength(), 0, 0, RT_TABLE_MAIN, RTPROT_KERNEL,
                subnet.isIpv4() ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE, RTN_UNICAST, 0).pack(key);
        if (subnet.prefixLength() > 0) {
            StructNlAttr.putAddress(key, RTA_DST, subnet.network());
        }
        StructNlAttr.putU32(key, RTA_OIF, index);
        if (subnet.isIpv6()) {
            StructNlAttr.putU32(key, RTA_PRIORITY, IP6_RT_PRIO_ADDRCONF);
        }
        return KEY_PREFIX + HexFormat.of().formatHex(key.array(), 0, key.position());
    }

    /** RTM_GETROUTE dump of every route of {@code family}, every table. */
    static NetlinkRequest dumpRequest(int family) {
        NetlinkRequest request = new NetlinkRequest(RTM_GETROUTE, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructRtMsg(family, 0, 0, 0, 0, 0, 0, 0, 0).pack(request.buffer());
        return request;
    }

    /** The address family a route key is of (its rtm_family), refusing keys of another format. */
    static int familyOf(String key) {
        if (!key.startsWith(KEY_PREFIX) || key.length() < KEY_PREFIX.length() + 2) {
            throw new IllegalArgumentException("'" + key + "' is not a route key of this adapter");
        }
        return HexFormat.fromHexDigits(key, KEY_PREFIX.length(), KEY_PREFIX.length() + 2);
    }

    /**
     * The route {@code key} names with RTA_PREFSRC {@code source} (none when null), as an RTM_NEWROUTE or
     * RTM_DELROUTE request with {@code flags} besides NLM_F_REQUEST and NLM_F_ACK: the bytes of
     * {@code ip route append|prepend|replace|del ROUTE [src SOURCE]}.
     */
    static NetlinkRequest request(short type, int flags, String key, InetAddress source) {
        int family = familyOf(key);
        if (source != null && family != (source instanceof Inet4Address ? LibC.AF_INET : LibC.AF_INET6)) {
            throw new IllegalArgumentException("source " + IpText.of(source) + " does not fit the route " + key);
        }
        NetlinkRequest request = new NetlinkRequest(type, (short) (NLM_F_REQUEST | NLM_F_ACK | flags));
        request.buffer().put(HexFormat.of().parseHex(key, KEY_PREFIX.length(), key.length()));
        if (source != null) {
            StructNlAttr.putAddress(request.buffer(), RTA_PREFSRC, source);
        }
        return request;
    }

    /**
     * The route as iproute2 would print it, on one line and without its source:
     * {@code 192.0.2.0/24 via 10.9.0.2 dev v0 table 100 metric 5}, for a multipath route
     * {@code 203.0.113.0/24 nexthop via 10.9.0.2 dev v0 weight 1 nexthop via 10.9.0.3 dev v0 weight 3}, and for
     * one through a nexthop object {@code 198.51.100.0/24 nhid 10 via 10.9.0.2 dev v0}.
     */
    String text(Map<Integer, String> interfaceNames) {
        StringBuilder text = new StringBuilder(route.dstLength() == 0 ? "default"
                : IpText.of(route.destination()) + "/" + route.dstLength());
        if (nexthopId() != null) {
            text.append(" nhid ").append(Integer.toUnsignedString(nexthopId()));
        }
        appendPath(text, attributes, route.outputInterface(), interfaceNames);
        if (route.table() != RT_TABLE_MAIN) {
            text.append(" table ").append(tableName(route.table()));
        }
        if (route.protocol() != RTPROT_BOOT) {
            text.append(" proto ").append(protocolName(route.protocol()));
        }
        if (route.priority() != 0) {
            text.append(" metric ").append(Integer.toUnsignedString(route.priority()));
        }
        for (Nexthop nexthop : nexthops()) {
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

    /** Whether this is the route {@code key} names, whatever its source. */
    boolean is(String key) {
        return Objects.equals(key(), key);
    }
}
