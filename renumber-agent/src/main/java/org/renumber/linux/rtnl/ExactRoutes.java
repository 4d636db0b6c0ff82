package org.renumber.linux.rtnl;

import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_APPEND;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_CREATE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REPLACE;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_DELROUTE;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWROUTE;
import static org.renumber.linux.netlink.NetlinkConstants.RTN_UNICAST;
import static org.renumber.linux.netlink.NetlinkConstants.RTPROT_KERNEL;
import static org.renumber.linux.netlink.NetlinkConstants.RT_TABLE_MAIN;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.renumber.domain.InterfaceAddress;
import org.renumber.linux.Errno;
import org.renumber.linux.IpText;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkSocket;

/**
 * Route changes in which every request names exactly one route: its table, destination, device or path, metric,
 * type, protocol, scope and, where the kernel tells routes apart by it, its preferred source. A route's source
 * moves by adding the route with the new source and deleting it with the old one, never by NLM_F_REPLACE keyed on
 * the prefix: the kernel replaces the first route of the prefix and metric, whatever its device
 * (docs/architecture.md, "Routes"). A step whose result is already there is done: EEXIST for an identical route,
 * ESRCH for one already gone.
 *
 * <p>IPv4 files routes that differ only in their source side by side (fib_table_insert compares the whole
 * fib_info), so the route with the new source is added first, at the place of the old one (prepended when the old
 * one is the first of its slot, appended otherwise), and the old one deleted after: no moment without the route.
 * IPv6 tells routes apart by device, gateway and metric, not source (fib6_add_rt2node, rt6_duplicate_nexthop), so
 * adding the new one beside the old one fails with EEXIST: a route that is the first of its slot is replaced, which
 * the kernel does to the first route of the slot, the one seen in the dump just before; any other is deleted and
 * added again, which puts it last, where it was when it had one neighbour in the slot.
 */
final class ExactRoutes {

    private final NetlinkSocket socket;
    private final String where;

    /** {@code where} ends each operation's name in errors: {@code in network namespace 'x'}. */
    ExactRoutes(NetlinkSocket socket, String where) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.where = Objects.requireNonNull(where, "where");
    }

    /** Every route of the family, every table, in the kernel's order. */
    List<RouteMessage> dump(int family) {
        return socket.transact("list routes " + where, RouteMessage.dumpRequest(family), RouteMessage::parse);
    }

    /**
     * Leaves the route {@code key} names with source {@code source} and no other: adds it if no route of that key
     * has that source, then deletes those of that key with another source. With no route of that key at all, it is
     * created, appended to its slot as the kernel appends the routes it makes for an address.
     */
    void setSource(String key, InetAddress source, String text) {
        Objects.requireNonNull(source, "source");
        List<RouteMessage> dump = dump(RouteMessage.familyOf(key));
        List<RouteMessage> stale = new ArrayList<>();
        boolean present = false;
        for (RouteMessage route : dump) {
            if (route.is(key)) {
                if (source.equals(route.preferredSource())) {
                    present = true;
                } else {
                    stale.add(route);
                }
            }
        }
        String operation = "set source " + IpText.of(source) + " on route " + text + " " + where;
        if (!present && stale.isEmpty()) {
            add(operation, key, source, true);
        } else if (!present) {
            RouteMessage current = stale.get(0);
            boolean first = firstOfSlot(dump, current);
            if (current.family() == LibC.AF_INET) {
                add(operation, key, source, !first);
            } else if (first) {
                socket.request(operation, RouteMessage.request(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, key, source));
                stale.remove(0);
            } else {
                delete(current, text);
                stale.remove(0);
                add(operation, key, source, true);
            }
        }
        for (RouteMessage route : stale) {
            delete(route, text);
        }
    }

    /**
     * The main-table unicast route of {@code subnet}'s network out of the interface with {@code index},
     * kernel-made first (then by metric), or null when it has none.
     */
    RouteMessage connected(int index, InterfaceAddress subnet) {
        InetAddress network = subnet.network();
        return dump(AddressMessage.family(subnet)).stream()
                .filter(m -> {
                    RouteMessage.Route r = m.route();
                    return r.table() == RT_TABLE_MAIN && r.type() == RTN_UNICAST && r.outputInterface() == index
                            && r.dstLength() == subnet.prefixLength()
                            && (subnet.prefixLength() == 0 ? r.destination() == null : network.equals(r.destination()));
                })
                .min(Comparator.comparingInt((RouteMessage m) -> m.route().protocol() == RTPROT_KERNEL ? 0 : 1)
                        .thenComparingInt(m -> m.route().priority()))
                .orElse(null);
    }

    /** Deletes exactly this route, its source included; one already gone (ESRCH) is as asked. */
    void delete(RouteMessage route, String text) {
        InetAddress source = route.preferredSource();
        socket.requestUnlessDone("delete route " + text + (source == null ? "" : " src " + IpText.of(source)) + " "
                + where, RouteMessage.request(RTM_DELROUTE, 0, route.key(), source), Errno.ESRCH);
    }

    /** NLM_F_CREATE without NLM_F_EXCL or NLM_F_REPLACE: EEXIST then means this very route is there. */
    private void add(String operation, String key, InetAddress source, boolean append) {
        socket.requestUnlessDone(operation, RouteMessage.request(RTM_NEWROUTE,
                NLM_F_CREATE | (append ? NLM_F_APPEND : 0), key, source), Errno.EEXIST);
    }

    /** Whether no route before {@code route} in the dump has its slot. */
    private static boolean firstOfSlot(List<RouteMessage> dump, RouteMessage route) {
        String slot = route.slot();
        for (RouteMessage other : dump) {
            if (other == route) {
                return true;
            }
            if (other.slot().equals(slot)) {
                return false;
            }
        }
        return true;
    }
}
