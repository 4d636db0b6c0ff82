package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.renumber.linux.Hex.messages;
import static org.renumber.linux.Hex.packed;
import static org.renumber.linux.rtnl.RtnetlinkCodecTest.attributeMap;
import static org.renumber.linux.rtnl.RtnetlinkCodecTest.attributesBeyond;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.Hex;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkConstants;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.StructNlAttr;
import org.renumber.linux.netlink.StructNlMsgHdr;

/**
 * The rule codec ({@link RuleMessage}, {@link StructFibRuleHdr}) against bytes captured from the kernel (Linux 6.18,
 * x86_64) with {@code strace -xx -e read=3 -e write=3} around iproute2 6.1 in a test namespace: dumps parse to the
 * rules {@code ip rule} shows, and a rule sent back for another address is what {@code ip rule add} sends.
 */
class RuleCodecTest {

    /** The address the captured rules name. */
    private static final InetAddress OLD_RULE_ADDRESS = IpLiterals.parse("10.9.0.1");

    /**
     * The start of an RTM_GETRULE dump ({@code ip -4 rule}): {@code 0: from all lookup local},
     * {@code 1000: from 10.9.0.1 lookup 100}, {@code 1001: from 10.9.0.0/24 lookup 100}.
     */
    private static final String RULE_DUMP = """
            34000000 20000200 53040a6b 4d6c0000 02000000 ff000001 00000000 08000f00
            ff000000 08000e00 ffffffff 05001500 02000000 44000000 20000200 53040a6b
            4d6c0000 02002000 64000001 00000000 08000f00 64000000 08000e00 ffffffff
            05001500 00000000 08000600 e8030000 08000200 0a090001 44000000 20000200
            53040a6b 4d6c0000 02001800 64000001 00000000 08000f00 64000000 08000e00
            ffffffff 05001500 00000000 08000600 e9030000 08000200 0a090000""";

    /** {@code ip rule add from 10.9.0.1/32 lookup 100 priority 1000}: RTM_NEWRULE, create, exclusive. */
    private static final String RULE_ADD = """
            2c000000 20000506 50040a6b 00000000 02002000 64000001 00000000 08000200
            0a090001 08000600 e8030000""";

    /**
     * More of an RTM_GETRULE dump ({@code ip -4 rule}), rules by destination: {@code 1000: from all to 10.9.0.1},
     * {@code 1001: from 10.9.0.1 to 10.9.0.1}, {@code 1002: from 10.9.0.0/24 to 10.9.0.1},
     * {@code 1003: from all to 10.9.0.0/24} and {@code 1004: not from all to 10.9.0.1}, each {@code lookup 100}.
     */
    private static final String RULE_TO_DUMP = """
            44000000 20000200 3c120a6b 98020000 02200000 64000001 00000000 08000f00
            64000000 08000e00 ffffffff 05001500 00000000 08000600 e8030000 08000100
            0a090001 4c000000 20000200 3c120a6b 98020000 02202000 64000001 00000000
            08000f00 64000000 08000e00 ffffffff 05001500 00000000 08000600 e9030000
            08000100 0a090001 08000200 0a090001 4c000000 20000200 3c120a6b 98020000
            02201800 64000001 00000000 08000f00 64000000 08000e00 ffffffff 05001500
            00000000 08000600 ea030000 08000100 0a090001 08000200 0a090000 44000000
            20000200 3c120a6b 98020000 02180000 64000001 00000000 08000f00 64000000
            08000e00 ffffffff 05001500 00000000 08000600 eb030000 08000100 0a090000
            44000000 20000200 3c120a6b 98020000 02200000 64000001 02000000 08000f00
            64000000 08000e00 ffffffff 05001500 00000000 08000600 ec030000 08000100
            0a090001""";

    /** {@code ip rule add to 10.9.0.1/32 lookup 100 priority 1000}. */
    private static final String RULE_TO_ADD = """
            2c000000 20000506 3c120a6b 00000000 02200000 64000001 00000000 08000100
            0a090001 08000600 e8030000""";

    /** {@code ip rule add from 10.9.0.1/32 to 10.9.0.1/32 lookup 100 priority 1001}. */
    private static final String RULE_FROM_TO_ADD = """
            34000000 20000506 3c120a6b 00000000 02202000 64000001 00000000 08000200
            0a090001 08000100 0a090001 08000600 e9030000""";

    /** {@code ip rule add from 10.9.0.0/24 to 10.9.0.1 lookup 100 priority 1002}. */
    private static final String RULE_WIDE_FROM_TO_ADD = """
            34000000 20000506 3c120a6b 00000000 02201800 64000001 00000000 08000200
            0a090000 08000100 0a090001 08000600 ea030000""";

    /**
     * The key of {@code from 10.9.0.1 lookup 100 priority 1000} (the second rule of {@link #RULE_DUMP}) as the
     * agent journaled it when it copied only {@code from} rules: the same bytes as now.
     */
    private static final String JOURNALED_FROM_RULE_KEY = "fibrule1:02002000640000010000000008000f006400000008000e00"
            + "ffffffff050015000000000008000600e8030000";

    @BeforeAll
    static void capturesAreLittleEndian() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "the captured bytes are from x86_64 (little-endian)");
    }

    @Test
    void aRuleDumpYieldsTheSourceSelectorsAndWhetherTheySelectOneAddress() {
        List<RuleMessage> rules = messages(RULE_DUMP).stream().map(RuleMessage::parse).toList();

        assertThat(rules).extracting(RuleMessage::text).containsExactly("from all lookup local priority 0 proto kernel",
                "from 10.9.0.1 lookup 100 priority 1000", "from 10.9.0.0/24 lookup 100 priority 1001");
        assertThat(rules.get(0).source()).isNull();
        assertThat(rules.get(0).selects(OLD_RULE_ADDRESS)).isFalse();
        assertThat(rules.get(1).source()).isEqualTo(InterfaceAddress.parse("10.9.0.1/32"));
        assertThat(rules.get(1).destination()).isNull();
        assertThat(rules.get(1).copyableFrom(OLD_RULE_ADDRESS)).isTrue();
        assertThat(rules.get(2).selects(OLD_RULE_ADDRESS)).isTrue();
        assertThat(rules.get(2).copyableFrom(OLD_RULE_ADDRESS)).isFalse();
    }

    @Test
    void aRuleDumpYieldsTheDestinationSelectorsAndWhetherTheRuleNamesTheAddress() {
        List<RuleMessage> rules = messages(RULE_TO_DUMP).stream().map(RuleMessage::parse).toList();

        assertThat(rules).extracting(RuleMessage::text).containsExactly(
                "from all to 10.9.0.1 lookup 100 priority 1000", "from 10.9.0.1 to 10.9.0.1 lookup 100 priority 1001",
                "from 10.9.0.0/24 to 10.9.0.1 lookup 100 priority 1002",
                "from all to 10.9.0.0/24 lookup 100 priority 1003",
                "not from all to 10.9.0.1 lookup 100 priority 1004");
        assertThat(rules.get(0).destination()).isEqualTo(InterfaceAddress.parse("10.9.0.1/32"));
        assertThat(rules).allMatch(rule -> rule.selects(OLD_RULE_ADDRESS));
        assertThat(rules).extracting(rule -> rule.copyableFrom(OLD_RULE_ADDRESS))
                .as("a wider destination alone, or inverted, is the operator's").containsExactly(true, true, true,
                        false, false);
        assertThat(rules).noneMatch(rule -> rule.selects(IpLiterals.parse("10.9.1.1")));
    }

    @Test
    void aDumpedRuleSentBackWithAnotherSourceIsWhatIpRuleAddSends() {
        RuleMessage dumped = RuleMessage.parse(messages(RULE_DUMP).get(1));
        byte[] ours = RuleMessage.addRequest(dumped.key(OLD_RULE_ADDRESS), OLD_RULE_ADDRESS).toBytes(0x6b0a0450);

        // What the dump adds: the table again, FRA_SUPPRESS_PREFIXLEN (14) and FRA_PROTOCOL at the kernel's defaults.
        assertThat(attributesBeyond(RULE_ADD, ours, StructFibRuleHdr::parse)).isEqualTo(Map.of(
                NetlinkConstants.FRA_TABLE, "64000000", 14, "ffffffff", NetlinkConstants.FRA_PROTOCOL, "00"));
    }

    /** The address goes in each selector that named it, and only there: a wider one stays as it is. */
    @Test
    void dumpedRulesByDestinationSentBackAreWhatIpRuleAddSends() {
        List<RuleMessage> rules = messages(RULE_TO_DUMP).stream().map(RuleMessage::parse).toList();
        Map<Integer, String> dumpAdds = Map.of(NetlinkConstants.FRA_TABLE, "64000000", 14, "ffffffff",
                NetlinkConstants.FRA_PROTOCOL, "00");

        assertThat(attributesBeyond(RULE_TO_ADD, addRequest(rules.get(0)), StructFibRuleHdr::parse))
                .isEqualTo(dumpAdds);
        assertThat(attributesBeyond(RULE_FROM_TO_ADD, addRequest(rules.get(1)), StructFibRuleHdr::parse))
                .isEqualTo(dumpAdds);
        assertThat(attributesBeyond(RULE_WIDE_FROM_TO_ADD, addRequest(rules.get(2)), StructFibRuleHdr::parse))
                .isEqualTo(dumpAdds);
        assertThat(rules.get(1).key(OLD_RULE_ADDRESS)).as("both selectors left open").doesNotContain("0a090001");
        assertThat(rules.get(2).key(OLD_RULE_ADDRESS)).contains("080002000a090000").doesNotContain("0a090001");
    }

    private static byte[] addRequest(RuleMessage rule) {
        return RuleMessage.addRequest(rule.key(OLD_RULE_ADDRESS), OLD_RULE_ADDRESS).toBytes(0x6b0a123c);
    }

    /** A change journaled by an agent that copied only {@code from} rules is rolled back by this one. */
    @Test
    void aSourceRuleKeyIsTheOneJournaledBeforeRulesByDestinationAndStillDeletesTheCopy() {
        RuleMessage dumped = RuleMessage.parse(messages(RULE_DUMP).get(1));
        assertThat(dumped.key(OLD_RULE_ADDRESS)).isEqualTo(JOURNALED_FROM_RULE_KEY);

        NetlinkMessage request = messages(Hex.of(RuleMessage.deleteRequest(JOURNALED_FROM_RULE_KEY,
                IpLiterals.parse("10.9.1.1")).toBytes(1))).get(0);

        assertThat(request.header().type()).isEqualTo(NetlinkConstants.RTM_DELRULE);
        ByteBuffer body = request.body();
        assertThat(StructFibRuleHdr.parse(body)).isEqualTo(new StructFibRuleHdr(LibC.AF_INET, 0, 32, 0, 100,
                NetlinkConstants.FR_ACT_TO_TBL, 0));
        assertThat(attributeMap(StructNlAttr.parseAll(body))).containsEntry(NetlinkConstants.FRA_SRC, "0a090101")
                .containsEntry(NetlinkConstants.FRA_PRIORITY, "e8030000")
                .doesNotContainKey(NetlinkConstants.FRA_DST);
    }

    @Test
    void aRuleKeyKeepsNoSourceAndNoStateFlagAndSpellsOutPriorityZero() {
        ByteBuffer dump = Hex.buffer(RULE_DUMP);
        dump.position(0x34 + StructNlMsgHdr.SIZE);
        // FIB_RULE_PERMANENT | FIB_RULE_INVERT | FIB_RULE_UNRESOLVED, as if dumped
        dump.putInt(dump.position() + 8, 0x7);
        RuleMessage dumped = RuleMessage.parse(messages(Hex.of(dump.array())).get(1));
        RuleMessage noPriority = new RuleMessage(dumped.header(), dumped.attributes().stream()
                .filter(a -> a.kind() != NetlinkConstants.FRA_PRIORITY).toList());

        NetlinkMessage request = messages(Hex.of(RuleMessage.deleteRequest(noPriority.key(OLD_RULE_ADDRESS),
                IpLiterals.parse("10.9.1.1")).toBytes(1))).get(0);

        assertThat(request.header().type()).isEqualTo(NetlinkConstants.RTM_DELRULE);
        ByteBuffer body = request.body();
        assertThat(StructFibRuleHdr.parse(body).flags()).isEqualTo(NetlinkConstants.FIB_RULE_INVERT);
        List<StructNlAttr> attributes = StructNlAttr.parseAll(body);
        assertThat(StructNlAttr.find(attributes, NetlinkConstants.FRA_PRIORITY).asU32()).isZero();
        assertThat(attributes).filteredOn(a -> a.kind() == NetlinkConstants.FRA_SRC).singleElement()
                .satisfies(a -> assertThat(a.asInetAddress()).isEqualTo(IpLiterals.parse("10.9.1.1")));
        assertThat(dumped.key(OLD_RULE_ADDRESS)).doesNotContain("0a090001");
    }

    @Test
    void aRuleKeyOfAnotherFamilyOrFormatOrWithoutAPlaceForTheAddressIsRefused() {
        String key = RuleMessage.parse(messages(RULE_DUMP).get(1)).key(OLD_RULE_ADDRESS);
        assertThatThrownBy(() -> RuleMessage.addRequest(key, IpLiterals.parse("2001:db8::1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        String wider = RuleMessage.parse(messages(RULE_TO_DUMP).get(3)).key(OLD_RULE_ADDRESS);
        assertThatThrownBy(() -> RuleMessage.addRequest(wider, IpLiterals.parse("10.9.1.1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> RuleMessage.addRequest("mem-rule:/32 lookup 100", IpLiterals.parse("10.9.0.3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a rule key");
    }

    @Test
    void fibRuleHdrRoundTrips() {
        ByteBuffer message = Hex.buffer(RULE_ADD);
        message.position(StructNlMsgHdr.SIZE);
        StructFibRuleHdr header = StructFibRuleHdr.parse(message);

        assertThat(header).isEqualTo(new StructFibRuleHdr(LibC.AF_INET, 0, 32, 0, 100, NetlinkConstants.FR_ACT_TO_TBL, 0));
        assertThat(packed(StructFibRuleHdr.SIZE, header::pack)).isEqualTo(Arrays.copyOfRange(Hex.bytes(RULE_ADD), 16, 28));
    }
}
