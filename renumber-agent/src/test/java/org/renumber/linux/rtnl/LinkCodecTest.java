package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.renumber.linux.netlink.NetlinkConstants.NLMSG_ERROR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWLINK;

import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.renumber.linux.Hex;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkConstants;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.StructNlAttr;
import org.renumber.linux.netlink.StructNlMsgErr;
import org.renumber.linux.netlink.StructNlMsgHdr;

/**
 * The link messages of {@link NetlinkLinks} against bytes captured from the kernel (Linux 6.18, x86_64) with
 * {@code strace -xx -e read=3 -e write=3} around iproute2 6.1 in a fresh namespace (lo index 1, then the veth
 * pair: rn1 index 2, rn0 index 3).
 */
class LinkCodecTest {

    /** {@code ip link add rn0 type veth peer name rn1}: RTM_NEWLINK, NLM_F_REQUEST|ACK|EXCL|CREATE, seq 0x6b09ecd4. */
    private static final String VETH_ADD_REQUEST = """
            54000000 10000506 d4ec096b 00000000 00000000 00000000 00000000 00000000
            08000300 726e3000 2c001200 08000100 76657468 20000200 1c000100 00000000
            00000000 00000000 00000000 08000300 726e3100""";

    /** Offsets of the high byte of nla_type of IFLA_LINKINFO (0x0012) and IFLA_INFO_DATA (0x0002) in it. */
    private static final int LINKINFO_TYPE_HIGH = 0x2b;
    private static final int INFO_DATA_TYPE_HIGH = 0x37;

    /** The kernel's acknowledgement of it (NLM_F_CAPPED: only the request's header echoed). */
    private static final String VETH_ADD_ACK = """
            24000000 02000001 d4ec096b 90710000 00000000 54000000 10000506 d4ec096b
            00000000""";

    /** {@code ip link set lo up}: RTM_NEWLINK for index 1, IFF_UP in ifi_flags and ifi_change, seq 0x6b09ecd5. */
    private static final String LO_UP_REQUEST = "20000000 10000500 d5ec096b 00000000 00000000 01000000 01000000 01000000";

    /**
     * The kernel's RTM_NEWLINK for rn0 after {@code ip link set rn0 up} with rn1 still down (answer to
     * {@code ip link show dev rn0}): flags UP|BROADCAST|MULTICAST, IFLA_LINK 2 (rn1), IFLA_LINKINFO kind "veth".
     */
    private static final String RN0_LINK = """
            d4050000 10000000 daec096b 4a720000 00000100 03000000 03100000 00000000
            08000300 726e3000 08000d00 e8030000 05001000 03000000 05001100 00000000
            05004300 00000000 08000400 dc050000 08003200 44000000 08003300 ffff0000
            08001b00 00000000 08001e00 00000000 08003d00 00000000 08001f00 02000000
            08002800 ffff0000 08002900 00000100 08003a00 00000100 08003f00 00000100
            08004000 00000100 08003b00 f8ff0700 08003c00 ffff0000 08004200 00000000
            08002000 02000000 05002100 00000000 08002300 01000000 08002f00 00000000
            08003000 01000000 06004400 00000000 06004500 00000000 05002700 00000000
            0a000100 96fff72a 296e0000 0a000200 ffffffff ffff0000 cc001700 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 64000700 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 0c002b00 05000200 00000000 10001200 09000100 76657468
            00000000 08000500 02000000 0c000600 6e6f7175 65756500 30031a00 8c000200
            88000100 00000000 00000000 00000000 01000000 01000000 01000000 01000000
            00000000 01000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 10270000 e8030000 00000000 00000000 00000000
            00000000 01000000 a0020a00 08000100 00000000 14000500 ffff0000 7b3c0300
            5c5b0000 e8030000 f4000200 00000000 40000000 dc050000 01000000 01000000
            01000000 01000000 ffffffff a00f0000 e8030000 00000000 803a0900 80510100
            03000000 58020000 10000000 00000000 01000000 01000000 01000000 60ea0000
            00000000 00000000 00000000 00000000 00000000 00000000 01000000 00000000
            00000000 10270000 e8030000 01000000 00000000 00000000 01000000 00000000
            00000000 01000000 00000000 00000000 00000000 00000000 80ee3600 00000000
            00000000 01000000 00000000 00000000 00000000 00000000 00000000 00040000
            00000000 ffff0000 ffffffff 01000000 00000000 00000000 00000000 34010300
            26000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 3c000600 07000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 14000700 00000000 00000000 00000000 00000000
            05000800 00000000 24000e00 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 04003e80 04004180""";

    @BeforeAll
    static void capturesAreLittleEndian() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "the captured bytes are from x86_64 (little-endian)");
    }

    @Test
    void vethPairRequestIsWhatIpLinkAddSendsPlusTheNestedFlagOnTheTwoNests() {
        byte[] expected = Hex.bytes(VETH_ADD_REQUEST);
        // iproute2 leaves NLA_F_NESTED (0x8000 in nla_type) off every nest; the kernel accepts it either way.
        expected[LINKINFO_TYPE_HIGH] |= (byte) 0x80;
        expected[INFO_DATA_TYPE_HIGH] |= (byte) 0x80;

        byte[] request = LinkMessage.vethPairRequest("rn0", "rn1").toBytes(0x6b09ecd4);

        assertThat(Hex.of(request)).isEqualTo(Hex.of(expected));
    }

    @Test
    void vethPeerCarriesAnIfInfoMsgBeforeItsNameAndNoNestedFlag() {
        NetlinkMessage message = Hex.messages(Hex.of(LinkMessage.vethPairRequest("rn0", "rn1").toBytes(1))).get(0);
        var body = message.body();
        StructIfInfoMsg.parse(body);
        StructNlAttr linkInfo = StructNlAttr.find(StructNlAttr.parseAll(body), NetlinkConstants.IFLA_LINKINFO);
        StructNlAttr kind = StructNlAttr.find(linkInfo.nested(), NetlinkConstants.IFLA_INFO_KIND);
        StructNlAttr data = StructNlAttr.find(linkInfo.nested(), NetlinkConstants.IFLA_INFO_DATA);
        StructNlAttr peer = StructNlAttr.find(data.nested(), NetlinkConstants.VETH_INFO_PEER);
        var peerValue = peer.valueBuffer();
        StructIfInfoMsg peerInfo = StructIfInfoMsg.parse(peerValue);

        assertThat(kind.asString()).isEqualTo("veth");
        assertThat(peer.isNested()).isFalse();
        assertThat(peerInfo).isEqualTo(new StructIfInfoMsg(LibC.AF_UNSPEC, 0, 0, 0, 0));
        assertThat(StructNlAttr.find(StructNlAttr.parseAll(peerValue), NetlinkConstants.IFLA_IFNAME).asString())
                .isEqualTo("rn1");
    }

    @Test
    void kernelAcknowledgesTheVethRequest() {
        NetlinkMessage message = Hex.messages(VETH_ADD_ACK).get(0);

        assertThat(message.type()).isEqualTo(NLMSG_ERROR);
        StructNlMsgErr ack = StructNlMsgErr.parse(message.body(), message.header());
        assertThat(ack.isAck()).isTrue();
        assertThat(ack.request()).isEqualTo(new StructNlMsgHdr(0x54, RTM_NEWLINK, (short) 0x605, 0x6b09ecd4, 0));
    }

    @Test
    void setUpRequestIsWhatIpLinkSetUpSends() {
        byte[] request = LinkMessage.setUpRequest(1).toBytes(0x6b09ecd5);

        assertThat(Hex.of(request)).isEqualTo(Hex.of(Hex.bytes(LO_UP_REQUEST)));
    }

    @Test
    void linkMessageYieldsNameFlagsKindAndPeerIndex() {
        LinkMessage link = LinkMessage.parse(Hex.messages(RN0_LINK).get(0));

        assertThat(link).isEqualTo(new LinkMessage(3, "rn0", 0x1003, "veth", 2, false));
        assertThat(link.isUp()).isTrue();
    }

    @Test
    void linkWithoutLinkInfoHasNoKindAndADownLinkIsNotUp() {
        // Hand-written: RTM_NEWLINK with ifinfomsg {ARPHRD_LOOPBACK, index 1, flags LOOPBACK}, IFLA_IFNAME "lo" only.
        LinkMessage link = LinkMessage.parse(Hex.messages("""
                28000000 10000000 01000000 00000000 00000403 01000000 08000000 00000000
                07000300 6c6f0000""").get(0));

        assertThat(link).isEqualTo(new LinkMessage(1, "lo", 0x8, null, 0, false));
        assertThat(link.isUp()).isFalse();
    }

    @Test
    void namesTheKernelWouldRefuseAreRejectedBeforeSending() {
        assertThatThrownBy(() -> LinkMessage.vethPairRequest("a-name-of-16-chr", "rn1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a-name-of-16-chr");
        assertThatThrownBy(() -> LinkMessage.vethPairRequest("rn0", "rn:1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rn:1");
        assertThatThrownBy(() -> LinkMessage.vethPairRequest("rn0", "rn0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rn0");
        assertThatThrownBy(() -> LinkMessage.vethPairRequest("", "rn1")).isInstanceOf(IllegalArgumentException.class);
    }
}
