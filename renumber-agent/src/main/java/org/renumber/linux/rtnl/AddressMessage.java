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
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_CREATE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_DUMP;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_EXCL;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REPLACE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_DELADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_GETADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RT_SCOPE_UNIVERSE;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.StructNlAttr;

/**
 * The address codec: one address of an RTM_NEWADDR (or, as an event, RTM_DELADDR) message, and the requests
 * that add, delete, re-time and list addresses, as {@code ip addr} sends them.
 *
 * @param flags         all IFA_F_* flags (IFA_FLAGS, or the header's 8 bits)
 * @param cacheinfo     lifetimes left, null when the message has none
 * @param routePriority IFA_RT_PRIORITY, 0 when absent
 * @param protocol      IFA_PROTO, 0 when absent
 * @param label         IFA_LABEL (IPv4 only), null when absent
 */
record AddressMessage(int index, InterfaceAddress address, int flags, int scope, StructIfaCacheinfo cacheinfo,
        int routePriority, int protocol, String label) {

    static AddressMessage parse(NetlinkMessage message) {
        if (message.type() != RTM_NEWADDR) {
            return null;
        }
        return parseBody(message);
    }

    /** An address event: RTM_NEWADDR (added or changed) or RTM_DELADDR (removed); null for anything else. */
    static AddressMessage parseEvent(NetlinkMessage message) {
        if (message.type() != RTM_NEWADDR && message.type() != RTM_DELADDR) {
            return null;
        }
        return parseBody(message);
    }

    private static AddressMessage parseBody(NetlinkMessage message) {
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
        return new AddressMessage(header.index(), new InterfaceAddress(chosen.asInetAddress(), header.prefixLength()),
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

    /**
     * The address flags an RTM_NEWADDR with NLM_F_REPLACE sets anew from the request (inet6_addr_modify clears
     * them first): a change of lifetimes must send back those the address has, or it would lose them.
     */
    static final int REPLACEABLE_ADDRESS_FLAGS = IFA_F_NODAD | IFA_F_OPTIMISTIC | IFA_F_HOMEADDRESS
            | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN;

    /** RTM_NEWADDR as {@code ip addr add A/P brd + dev IF} sends it (create, fail if it exists). */
    static NetlinkRequest addRequest(int index, InterfaceAddress address) {
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
    static NetlinkRequest deleteRequest(int index, InterfaceAddress address) {
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
    static NetlinkRequest lifetimesRequest(AddressMessage current, AddressLifetimes lifetimes) {
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

    /** RTM_GETADDR dump of the addresses of {@code family} (AF_UNSPEC: all). */
    static NetlinkRequest dumpRequest(int family) {
        NetlinkRequest request = new NetlinkRequest(RTM_GETADDR, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructIfAddrMsg(family, 0, 0, 0, 0).pack(request.buffer());
        return request;
    }

    static int family(InterfaceAddress address) {
        return address.isIpv4() ? LibC.AF_INET : LibC.AF_INET6;
    }
}
