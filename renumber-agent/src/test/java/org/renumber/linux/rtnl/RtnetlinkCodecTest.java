package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.renumber.linux.Hex.messages;
import static org.renumber.linux.Hex.packed;
import static org.renumber.linux.netlink.NetlinkConstants.NLMSG_DONE;
import static org.renumber.linux.netlink.NetlinkConstants.NLMSG_ERROR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWROUTE;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.Errno;
import org.renumber.linux.Hex;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkConstants;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.StructNlAttr;
import org.renumber.linux.netlink.StructNlMsgErr;
import org.renumber.linux.netlink.StructNlMsgHdr;

/**
 * rtnetlink encoders and decoders against bytes captured from the kernel (Linux 6.18, x86_64) with
 * {@code strace -xx -e read=3 -e write=3} around iproute2 6.1 in a test namespace where v0 has index 2.
 */
class RtnetlinkCodecTest {

    /** rtnh_flags of a path whose link has no carrier: state the kernel reports, never accepts in a request. */
    private static final int RTNH_F_LINKDOWN = 16;

    /** {@code ip addr add 10.9.0.3/24 brd + dev v0}: RTM_NEWADDR, seq 0x6b09e843. */
    private static final String NEWADDR_REQUEST = """
            30000000 14000506 43e8096b 00000000 02180000 02000000 08000200 0a090003
            08000100 0a090003 08000400 0a0900ff""";

    /** The kernel's answer when that address exists: EEXIST, request echoed, extended-ack text. */
    private static final String NEWADDR_EEXIST = """
            68000000 02000002 43e8096b 77140000 efffffff 30000000 14000506 43e8096b
            00000000 02180000 02000000 08000200 0a090003 08000100 0a090003 08000400
            0a0900ff 23000100 69707634 3a204164 64726573 7320616c 72656164 79206173
            7369676e 65640000""";

    /** {@code ip route replace 10.9.0.0/24 dev v0 proto kernel scope link src 10.9.0.3}, seq 0x6b09e843. */
    private static final String ROUTE_REPLACE_REQUEST = """
            34000000 18000505 43e8096b 00000000 02180000 fe02fd01 00000000 08000100
            0a090000 08000700 0a090003 08000400 02000000""";

    /** Its acknowledgement, NLM_F_CAPPED (only the request's header echoed). */
    private static final String ROUTE_REPLACE_ACK = """
            24000000 02000001 43e8096b 7b140000 00000000 34000000 18000505 43e8096b
            00000000""";

    /**
     * One datagram of an RTM_GETADDR dump: 10.9.0.1/24 (primary), 10.9.0.3/24 (secondary), 2001:db8::1/64
     * (nodad) and the link-local address, all on index 2.
     */
    private static final String ADDRESS_DUMP = """
            54000000 14002200 44e8096b 73140000 02188000 02000000 08000100 0a090001
            08000200 0a090001 08000400 0a0900ff 07000300 76300000 08000800 80000000
            14000600 ffffffff ffffffff df6b0100 df6b0100 54000000 14002200 44e8096b
            73140000 02188100 02000000 08000100 0a090003 08000200 0a090003 08000400
            0a0900ff 07000300 76300000 08000800 81000000 14000600 ffffffff ffffffff
            906e0100 906e0100 48000000 14002200 44e8096b 73140000 0a408200 02000000
            14000100 20010db8 00000000 00000000 00000001 14000600 ffffffff ffffffff
            e06b0100 e06b0100 08000800 82000000 50000000 14002200 44e8096b 73140000
            0a4080fd 02000000 14000100 fe800000 00000000 8843a3ff fec15613 14000600
            ffffffff ffffffff df6b0100 df6b0100 08000800 80000000 05000b00 03000000""";

    /** The NLMSG_DONE ending that dump (NLM_F_MULTI | NLM_F_DUMP_FILTERED, status 0). */
    private static final String DUMP_DONE = "14000000 03002200 44e8096b 73140000 00000000";

    /** An RTM_GETROUTE dump message: 10.9.0.0/24 dev v0 proto kernel scope link src 10.9.0.3. */
    private static final String ROUTE = """
            3c000000 18002200 43e8096b 7f140000 02180000 fe02fd01 00000000 08000f00
            fe000000 08000100 0a090000 08000700 0a090003 08000400 02000000""";

    /** RTM_NEWLINK for v0 (veth) with net.ipv4.conf.v0.promote_secondaries=1, from {@code ip link show dev v0}. */
    private static final String LINK_V0_PROMOTING = """
            6c040000 10000000 53ea096b 60a2c4bf 00000100 02000000 43100100 00000000
            07000300 76300000 08000d00 e8030000 05001000 06000000 05001100 00000000
            05004300 00000000 08000400 dc050000 08003200 44000000 08003300 ffff0000
            08001b00 00000000 08001e00 00000000 08003d00 00000000 08001f00 02000000
            08002800 ffff0000 08002900 00000100 08003a00 00000100 08003f00 00000100
            08004000 00000100 08003b00 f8ff0700 08003c00 ffff0000 08004200 00000000
            08002000 02000000 05002100 01000000 08002300 02000000 08002f00 01000000
            08003000 01000000 06004400 00000000 06004500 00000000 05002700 00000000
            0a000100 8a43a3c1 56130000 0a000200 ffffffff ffff0000 cc001700 16000000
            00000000 16000000 00000000 1c060000 00000000 b4060000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 64000700 16000000 16000000 1c060000 b4060000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 0c002b00 05000200 00000000 10001200 09000100 76657468
            00000000 08002500 00000000 08000500 02000000 0c000600 6e6f7175 65756500
            c0011a00 8c000200 88000100 00000000 00000000 00000000 01000000 01000000
            01000000 01000000 00000000 01000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 01000000 00000000
            00000000 00000000 00000000 00000000 00000000 10270000 e8030000 00000000
            00000000 00000000 00000000 01000000 30010a00 08000100 10000080 14000500
            ffff0000 df6b0100 b8440000 e8030000 f4000200 00000000 40000000 dc050000
            01000000 01000000 01000000 01000000 ffffffff a00f0000 e8030000 00000000
            803a0900 80510100 03000000 58020000 10000000 00000000 01000000 01000000
            01000000 60ea0000 00000000 00000000 00000000 00000000 00000000 00000000
            01000000 00000000 00000000 10270000 e8030000 01000000 00000000 00000000
            01000000 00000000 00000000 01000000 00000000 00000000 00000000 00000000
            80ee3600 00000000 00000000 01000000 00000000 00000000 00000000 00000000
            00000000 00040000 00000000 ffff0000 ffffffff 01000000 00000000 00000000
            00000000 14000700 00000000 00000000 00000000 00000000 05000800 00000000
            24000e00 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 04003e80 04004180""";

    /**
     * {@code ip -6 addr change 2001:db8:9::1/64 dev v0 preferred_lft 0 valid_lft forever nodad}: RTM_NEWADDR with
     * NLM_F_REPLACE, nodad in the header's flags, IFA_CACHEINFO {0, forever, 0, 0}.
     */
    private static final String ADDR_CHANGE_REQUEST = """
            54000000 14000501 14f4096b 00000000 0a400200 02000000 14000200 20010db8
            00090000 00000000 00000001 14000100 20010db8 00090000 00000000 00000001
            14000600 00000000 ffffffff 00000000 00000000""";

    /** An RTM_GETROUTE dump message: default via 10.9.0.2 dev v0 src 10.9.0.1 metric 50 (proto boot). */
    private static final String DEFAULT_ROUTE = """
            44000000 18002200 0af5096b fc080000 02000000 fe030001 00000000 08000f00
            fe000000 08000600 32000000 08000700 0a090001 08000500 0a090002 08000400
            02000000""";

    /** {@code ip route replace default via 10.9.0.2 dev v0 src 10.9.0.3 metric 50}. */
    private static final String DEFAULT_ROUTE_REPLACE = """
            3c000000 18000505 0af5096b 00000000 02000000 fe030001 00000000 08000500
            0a090002 08000700 0a090003 08000600 32000000 08000400 02000000""";

    /**
     * An RTM_GETROUTE dump message with v1 (the peer) down, v0 index 3: {@code 203.0.113.0/24 src 10.9.0.1 nexthop
     * via 10.9.0.2 dev v0 weight 1 nexthop via 10.9.0.3 dev v0 weight 3}, the route and both paths {@code linkdown}.
     */
    private static final String MULTIPATH_ROUTE_LINKDOWN = """
            58000000 18002200 ad050a6b 0a2d0000 02180000 fe030001 10000000 08000f00
            fe000000 08000100 cb007100 08000700 0a090001 24000900 10001000 03000000
            08000500 0a090002 10001002 03000000 08000500 0a090003""";

    /** {@code ip route replace 203.0.113.0/24 src 10.9.1.1 nexthop via 10.9.0.2 dev v0 weight 1 nexthop via ...}. */
    private static final String MULTIPATH_ROUTE_REPLACE = """
            50000000 18000505 b2050a6b 00000000 02180000 fe030001 00000000 08000100
            cb007100 08000700 0a090101 24000900 10000000 03000000 08000500 0a090002
            10000002 03000000 08000500 0a090003""";

    /**
     * An RTM_GETROUTE dump message, v0 index 2: {@code 198.51.100.0/24 nhid 10 via 10.9.0.2 dev v0 src 10.9.0.1},
     * a route through nexthop object 10 ({@code ip nexthop add id 10 via 10.9.0.2 dev v0}), which the kernel
     * dumps with the object's gateway and device too (nexthop_compat_mode).
     */
    private static final String NHID_ROUTE = """
            4c000000 18002200 35120a6b 377e0000 02180000 fe030001 00000000 08000f00
            fe000000 08000100 c6336400 08000700 0a090001 08001e00 0a000000 08000500
            0a090002 08000400 02000000""";

    /** {@code ip route replace 198.51.100.0/24 nhid 10 src 10.9.0.3}. */
    private static final String NHID_ROUTE_REPLACE = """
            34000000 18000505 35120a6b 00000000 02180000 fe030001 00000000 08000100
            c6336400 08001e00 0a000000 08000700 0a090003""";

    @BeforeAll
    static void capturesAreLittleEndian() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "the captured bytes are from x86_64 (little-endian)");
    }

    @Test
    void newAddressRequestIsWhatIpAddrAddWithBroadcastSends() {
        NetlinkRequest request = AddressMessage.addRequest(2, InterfaceAddress.parse("10.9.0.3/24"));

        assertThat(Hex.of(request.toBytes(0x6b09e843))).isEqualTo(Hex.of(Hex.bytes(NEWADDR_REQUEST)));
    }

    @Test
    void broadcastIsLeftOutWhereIpAddrAddBrdPlusLeavesItOut() {
        assertThat(AddressMessage.broadcast(InterfaceAddress.parse("10.9.0.3/24")))
                .isEqualTo(IpLiterals.parse("10.9.0.255"));
        assertThat(AddressMessage.broadcast(InterfaceAddress.parse("10.9.0.3/30")))
                .isEqualTo(IpLiterals.parse("10.9.0.3"));
        assertThat(AddressMessage.broadcast(InterfaceAddress.parse("10.9.0.3/31"))).isNull();
        assertThat(AddressMessage.broadcast(InterfaceAddress.parse("2001:db8::1/64"))).isNull();
    }

    @Test
    void deleteAddressRequestNamesThePrefixThroughIfaAddress() {
        byte[] bytes = AddressMessage.deleteRequest(2, InterfaceAddress.parse("10.9.0.3/24")).toBytes(7);

        assertThat(Hex.of(bytes)).isEqualTo(Hex.of(Hex.bytes("""
                28000000 15000500 07000000 00000000 02180000 02000000 08000200 0a090003
                08000100 0a090003""")));
    }

    @Test
    void theKeyOfAFreshConnectedRouteIsWhatIpRouteSendsForIt() {
        String key = RouteMessage.connectedKey(2, InterfaceAddress.parse("10.9.0.1/24"));
        byte[] ours = replaceRequest(key, IpLiterals.parse("10.9.0.3")).toBytes(0x6b09e843);

        assertThat(attributesBeyond(ROUTE_REPLACE_REQUEST, ours, StructRtMsg::parse)).isEmpty();
    }

    @Test
    void promoteSecondariesRequestNestsTheDevconfIndexUnderAfSpecAndAfInet() {
        byte[] bytes = LinkMessage.promoteSecondariesRequest(2, true).toBytes(1);

        // ifinfomsg, then IFLA_AF_SPEC(26) { AF_INET(2) { IFLA_INET_CONF(1) { 20: u32 1 } } }, NLA_F_NESTED set.
        assertThat(Hex.of(bytes)).isEqualTo(Hex.of(Hex.bytes("""
                34000000 13000500 01000000 00000000 00000000 02000000 00000000 00000000
                14001a80 10000280 0c000180 08001400 01000000""")));
    }

    @Test
    void kernelErrorCarriesErrnoAndExtendedAckText() {
        List<NetlinkMessage> messages = messages(NEWADDR_EEXIST);

        assertThat(messages).hasSize(1);
        NetlinkMessage message = messages.get(0);
        assertThat(message.type()).isEqualTo(NLMSG_ERROR);
        StructNlMsgErr error = StructNlMsgErr.parse(message.body(), message.header());
        assertThat(error.errno()).isEqualTo(Errno.EEXIST);
        assertThat(error.request().type()).isEqualTo(RTM_NEWADDR);
        assertThat(error.request().sequence()).isEqualTo(0x6b09e843);
        assertThat(error.extendedMessage()).isEqualTo("ipv4: Address already assigned");
    }

    @Test
    void cappedAcknowledgementIsAnAck() {
        NetlinkMessage message = messages(ROUTE_REPLACE_ACK).get(0);

        StructNlMsgErr ack = StructNlMsgErr.parse(message.body(), message.header());
        assertThat(ack.isAck()).isTrue();
        assertThat(ack.request()).isEqualTo(new StructNlMsgHdr(0x34, RTM_NEWROUTE, (short) 0x505, 0x6b09e843, 0));
        assertThat(ack.extendedMessage()).isNull();
    }

    @Test
    void addressDumpYieldsAddressesInKernelOrder() {
        List<AddressMessage> addresses = new ArrayList<>();
        NetlinkMessage.forEach(Hex.buffer(ADDRESS_DUMP), m -> addresses.add(AddressMessage.parse(m)));

        assertThat(addresses).extracting(AddressMessage::address).containsExactly(
                InterfaceAddress.parse("10.9.0.1/24"), InterfaceAddress.parse("10.9.0.3/24"),
                InterfaceAddress.parse("2001:db8::1/64"), InterfaceAddress.parse("fe80::8843:a3ff:fec1:5613/64"));
        assertThat(addresses).extracting(AddressMessage::index).containsOnly(2);
        assertThat(addresses.get(1).flags() & NetlinkConstants.IFA_F_SECONDARY).isNotZero();
        assertThat(addresses.get(0).flags() & NetlinkConstants.IFA_F_SECONDARY).isZero();
    }

    @Test
    void ifAddrMsgRoundTrips() {
        ByteBuffer message = Hex.buffer(ADDRESS_DUMP);
        StructNlMsgHdr header = StructNlMsgHdr.parse(message);
        StructIfAddrMsg ifa = StructIfAddrMsg.parse(message);

        assertThat(header).isEqualTo(new StructNlMsgHdr(0x54, RTM_NEWADDR, (short) 0x22, 0x6b09e844, 0x1473));
        assertThat(ifa).isEqualTo(new StructIfAddrMsg(LibC.AF_INET, 24, 0x80, 0, 2));
        assertThat(packed(StructIfAddrMsg.SIZE, ifa::pack)).isEqualTo(Arrays.copyOfRange(Hex.bytes(ADDRESS_DUMP), 16, 24));
        assertThat(packed(StructNlMsgHdr.SIZE, header::pack)).isEqualTo(Arrays.copyOf(Hex.bytes(ADDRESS_DUMP), 16));
    }

    @Test
    void doneEndsADumpWithStatusZero() {
        NetlinkMessage done = messages(DUMP_DONE).get(0);

        assertThat(done.type()).isEqualTo(NLMSG_DONE);
        assertThat(done.body().getInt()).isZero();
    }

    @Test
    void routeMessageYieldsTableDestinationInterfaceAndPreferredSource() {
        RouteMessage.Route route = RouteMessage.parse(messages(ROUTE).get(0)).route();

        assertThat(route).isEqualTo(new RouteMessage.Route(254, NetlinkConstants.RTPROT_KERNEL,
                NetlinkConstants.RT_SCOPE_LINK, NetlinkConstants.RTN_UNICAST, 24, IpLiterals.parse("10.9.0.0"), 2,
                IpLiterals.parse("10.9.0.3"), 0));
    }

    @Test
    void rtMsgRoundTrips() {
        ByteBuffer message = Hex.buffer(ROUTE);
        message.position(StructNlMsgHdr.SIZE);
        StructRtMsg rt = StructRtMsg.parse(message);

        assertThat(rt).isEqualTo(new StructRtMsg(LibC.AF_INET, 24, 0, 0, 254, 2, 253, 1, 0));
        assertThat(packed(StructRtMsg.SIZE, rt::pack)).isEqualTo(Arrays.copyOfRange(Hex.bytes(ROUTE), 16, 28));
    }

    @Test
    void linkMessageYieldsNameAndIpv4DevconfArray() {
        NetlinkMessage message = messages(LINK_V0_PROMOTING).get(0);
        LinkMessage link = LinkMessage.parse(message);

        assertThat(link.index()).isEqualTo(2);
        assertThat(link.name()).isEqualTo("v0");
        assertThat(link.promoteSecondaries()).isTrue();
        ByteBuffer body = message.body();
        StructIfInfoMsg info = StructIfInfoMsg.parse(body);
        List<StructNlAttr> attributes = StructNlAttr.parseAll(body);
        assertThat(info.type()).isEqualTo(1); // ARPHRD_ETHER
        assertThat(LinkMessage.devconf(attributes, 1)).as("forwarding").isZero();
        assertThat(LinkMessage.devconf(attributes, 4)).as("accept_redirects").isEqualTo(1);
        assertThat(packed(StructIfInfoMsg.SIZE, info::pack))
                .isEqualTo(Arrays.copyOfRange(Hex.bytes(LINK_V0_PROMOTING), 16, 32));
    }

    @Test
    void attributesSkipTheirPaddingAndRoundTrip() {
        // IFLA_IFNAME "v0\0" is 7 bytes long and padded to 8; IFLA_TXQLEN follows.
        ByteBuffer attributes = Hex.buffer("07000300 76300000 08000d00 e8030000");
        StructNlAttr name = StructNlAttr.parse(attributes);
        StructNlAttr txqlen = StructNlAttr.parse(attributes);

        assertThat(name.asString()).isEqualTo("v0");
        assertThat(name.length()).isEqualTo(7);
        assertThat(txqlen.kind()).isEqualTo(13);
        assertThat(txqlen.asU32()).isEqualTo(1000);
        assertThat(StructNlAttr.parse(attributes)).isNull();
        assertThat(packed(8, name::pack)).isEqualTo(Hex.bytes("07000300 76300000"));
    }

    @Test
    void addressAttributeIsInNetworkOrder() {
        StructNlAttr local = StructNlAttr.parse(Hex.buffer("08000200 0a090003"));

        assertThat(local.asInetAddress()).isEqualTo(IpLiterals.parse("10.9.0.3"));
    }

    @Test
    void lifetimesRequestIsWhatIpAddrChangeSendsWithTheFlagsSpelledOut() {
        AddressMessage nodad = new AddressMessage(2,
                InterfaceAddress.parse("2001:db8:9::1/64"), NetlinkConstants.IFA_F_NODAD | NetlinkConstants.IFA_F_PERMANENT,
                0, null, 0, 0, null);

        byte[] ours = AddressMessage.lifetimesRequest(nodad, AddressLifetimes.PERMANENT.deprecated())
                .toBytes(0x6b09f414);

        NetlinkMessage expected = messages(ADDR_CHANGE_REQUEST).get(0);
        NetlinkMessage actual = messages(Hex.of(ours)).get(0);
        assertThat(actual.header().type()).isEqualTo(expected.header().type());
        assertThat(actual.header().flags()).isEqualTo(expected.header().flags());
        ByteBuffer expectedBody = expected.body();
        ByteBuffer actualBody = actual.body();
        assertThat(StructIfAddrMsg.parse(actualBody)).as("permanent is the kernel's to set, nodad is kept")
                .isEqualTo(StructIfAddrMsg.parse(expectedBody));
        Map<Integer, String> attributes = attributeMap(StructNlAttr.parseAll(actualBody));
        assertThat(attributes.remove(NetlinkConstants.IFA_FLAGS)).as("IFA_FLAGS carries flags above 8 bits too")
                .isEqualTo(Hex.of(new byte[] {2, 0, 0, 0}));
        assertThat(attributes).isEqualTo(attributeMap(StructNlAttr.parseAll(expectedBody)));
    }

    @Test
    void aDumpedRouteSentBackWithAnotherSourceIsWhatIpRouteReplaceSends() {
        RouteMessage dumped = RouteMessage.parse(messages(DEFAULT_ROUTE).get(0));
        assertThat(dumped.route().preferredSource()).isEqualTo(IpLiterals.parse("10.9.0.1"));
        assertThat(dumped.text(Map.of(2, "v0")))
                .isEqualTo("default via 10.9.0.2 dev v0 metric 50");

        String key = dumped.key();
        byte[] ours = replaceRequest(key, IpLiterals.parse("10.9.0.3")).toBytes(0x6b09f50a);

        assertThat(attributesBeyond(DEFAULT_ROUTE_REPLACE, ours, StructRtMsg::parse))
                .as("the dump's RTA_TABLE, same as rtm_table").isEqualTo(Map.of(NetlinkConstants.RTA_TABLE, "fe000000"));
    }

    @Test
    void aRouteKeyOfAnotherFamilyOrFormatIsRefused() {
        String key = RouteMessage.parse(messages(DEFAULT_ROUTE).get(0)).key();
        assertThatThrownBy(() -> replaceRequest(key, IpLiterals.parse("2001:db8::1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> replaceRequest("mem:x", IpLiterals.parse("10.9.0.3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a route key");
    }

    @Test
    void theDeleteOfARouteNamesItWithTheSameBytesAndItsOwnSource() {
        RouteMessage dumped = RouteMessage.parse(messages(DEFAULT_ROUTE).get(0));
        byte[] replace = replaceRequest(dumped.key(), dumped.preferredSource()).toBytes(1);
        byte[] delete = RouteMessage.request(NetlinkConstants.RTM_DELROUTE, 0, dumped.key(), dumped.preferredSource())
                .toBytes(1);

        NetlinkMessage deleted = messages(Hex.of(delete)).get(0);
        assertThat(deleted.header().type()).isEqualTo(NetlinkConstants.RTM_DELROUTE);
        assertThat(deleted.header().flags()).isEqualTo((short) (NetlinkConstants.NLM_F_REQUEST | NetlinkConstants.NLM_F_ACK));
        assertThat(Arrays.copyOfRange(delete, StructNlMsgHdr.SIZE, delete.length))
                .isEqualTo(Arrays.copyOfRange(replace, StructNlMsgHdr.SIZE, replace.length));
        assertThat(attributeMap(StructNlAttr.parseAll(deleted.body().position(StructRtMsg.SIZE))))
                .containsEntry(NetlinkConstants.RTA_PREFSRC, "0a090001");
    }

    @Test
    void aMultipathRouteIsSentBackWithItsPathsAndWeightsAndWithoutTheirStateFlags() {
        RouteMessage dumped =
                RouteMessage.parse(messages(MULTIPATH_ROUTE_LINKDOWN).get(0));
        assertThat(dumped.text(Map.of(3, "v0"))).isEqualTo(
                "203.0.113.0/24 nexthop via 10.9.0.2 dev v0 weight 1 nexthop via 10.9.0.3 dev v0 weight 3");
        assertThat(dumped.nexthops()).extracting(n -> n.header().flags())
                .containsExactly(RTNH_F_LINKDOWN, RTNH_F_LINKDOWN);

        String key = dumped.key();
        byte[] ours = replaceRequest(key, IpLiterals.parse("10.9.1.1")).toBytes(0x6b0a05b2);

        // rtm_flags without linkdown, and the paths as iproute2 writes them: no linkdown, same gateways and weights
        assertThat(attributesBeyond(MULTIPATH_ROUTE_REPLACE, ours, StructRtMsg::parse))
                .isEqualTo(Map.of(NetlinkConstants.RTA_TABLE, "fe000000"));
    }

    @Test
    void aRouteThroughANexthopObjectIsSentBackWithItsNhidAndWithoutThePathTheDumpAdds() {
        RouteMessage dumped = RouteMessage.parse(messages(NHID_ROUTE).get(0));
        assertThat(dumped.text(Map.of(2, "v0")))
                .isEqualTo("198.51.100.0/24 nhid 10 via 10.9.0.2 dev v0");

        String key = dumped.key();
        byte[] ours = replaceRequest(key, IpLiterals.parse("10.9.0.3")).toBytes(0x6b0a1235);

        assertThat(attributesBeyond(NHID_ROUTE_REPLACE, ours, StructRtMsg::parse))
                .as("no RTA_GATEWAY, no RTA_OIF").isEqualTo(Map.of(NetlinkConstants.RTA_TABLE, "fe000000"));
    }

    @Test
    void aRouteOfAnotherTableIsWrittenWithItsTable() {
        ByteBuffer dump = Hex.buffer(DEFAULT_ROUTE);
        // rtm_table 252 (RT_TABLE_COMPAT) and RTA_TABLE 1000: how the kernel reports a table id above 255.
        dump.put(20, (byte) 252);
        dump.putInt(32, 1000);
        RouteMessage route = RouteMessage.parse(messages(Hex.of(dump.array())).get(0));

        assertThat(route.route().table()).isEqualTo(1000);
        assertThat(route.text(Map.of(2, "v0")))
                .isEqualTo("default via 10.9.0.2 dev v0 table 1000 metric 50");
    }

    /**
     * Checks that our request has the type, flags and fixed header of the captured one and every attribute of it,
     * whatever the order; returns the attributes ours has besides (type to value in hex).
     */
    /** What {@code ip route replace ROUTE src SOURCE} sends; the adapter sends it for the first route of a slot. */
    private static NetlinkRequest replaceRequest(String key, java.net.InetAddress source) {
        return RouteMessage.request(NetlinkConstants.RTM_NEWROUTE,
                NetlinkConstants.NLM_F_CREATE | NetlinkConstants.NLM_F_REPLACE, key, source);
    }

    static Map<Integer, String> attributesBeyond(String captured, byte[] ours, Function<ByteBuffer, ?> header) {
        NetlinkMessage expected = messages(captured).get(0);
        NetlinkMessage actual = messages(Hex.of(ours)).get(0);
        assertThat(actual.header().type()).isEqualTo(expected.header().type());
        assertThat(actual.header().flags()).isEqualTo(expected.header().flags());
        ByteBuffer expectedBody = expected.body();
        ByteBuffer actualBody = actual.body();
        assertThat(header.apply(actualBody)).isEqualTo(header.apply(expectedBody));
        Map<Integer, String> beyond = attributeMap(StructNlAttr.parseAll(actualBody));
        attributeMap(StructNlAttr.parseAll(expectedBody)).forEach((type, value) ->
                assertThat(beyond.remove(type)).as("attribute %d", type).isEqualTo(value));
        return beyond;
    }

    /** Attribute type to value in hex, for comparing attribute sets whatever their order. */
    static Map<Integer, String> attributeMap(List<StructNlAttr> attributes) {
        Map<Integer, String> map = new java.util.TreeMap<>();
        attributes.forEach(a -> map.put(a.kind(), Hex.of(a.value())));
        return map;
    }
}
