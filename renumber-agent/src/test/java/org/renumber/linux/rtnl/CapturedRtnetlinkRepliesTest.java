package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.renumber.linux.netlink.NetlinkConstants.IFA_F_NODAD;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_CREATE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWROUTE;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.Captures;
import org.renumber.linux.Hex;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.StructNlAttr;

/**
 * Each rtnetlink codec against replies captured from the kernel ({@code src/test/resources/netlink/rtm_*.hex},
 * taken by {@link RtnetlinkCapturesTest}): it parses them, packs what it parsed back to the kernel's very bytes,
 * and what the agent sends about a parsed object (re-time an address, move a route, copy a rule) parses back
 * to that object. No root needed.
 */
class CapturedRtnetlinkRepliesTest {

    private static final InetAddress OLD = RtnetlinkCapturesTest.OLD;
    private static final InetAddress NEW = IpLiterals.parse("10.9.0.3");

    @Test
    void theLinkIsTheUpVethV0WithoutPromoteSecondaries() {
        List<NetlinkMessage> messages = Captures.read("rtm_newlink");
        assertThat(linkView(messages)).containsExactly("v0 veth up promote_secondaries=false");
        assertThat(repacked(messages.get(0), b -> StructIfInfoMsg.parse(b)::pack)).isEqualTo(raw(messages.get(0)));
    }

    @Test
    void theAddressesAreV0sPermanentOnesAndPackBackToTheKernelsBytes() {
        List<NetlinkMessage> messages = Captures.read("rtm_newaddr");
        assertThat(addressView(messages)).containsExactly(
                "10.9.0.1/24 scope 0 label v0 USABLE " + AddressLifetimes.PERMANENT,
                InterfaceAddress.parse("2001:db8:9::1/64") + " scope 0 label null USABLE " + AddressLifetimes.PERMANENT);
        for (NetlinkMessage message : messages) {
            assertThat(repacked(message, b -> StructIfAddrMsg.parse(b)::pack)).isEqualTo(raw(message));
        }
    }

    @Test
    void deletingAndRetimingAnAddressNameExactlyTheAddressParsed() {
        List<AddressMessage> addresses = parse(Captures.read("rtm_newaddr"), AddressMessage::parse);
        AddressMessage v4 = addresses.get(0);
        AddressMessage delete = AddressMessage.parseEvent(sent(AddressMessage.deleteRequest(v4.index(), v4.address())));
        assertThat(delete.index()).isEqualTo(v4.index());
        assertThat(delete.address()).isEqualTo(v4.address());

        AddressMessage v6 = addresses.get(1);
        assertThat(v6.flags() & IFA_F_NODAD).as("captured with nodad").isNotZero();
        AddressLifetimes deprecated = new AddressLifetimes(0, AddressLifetimes.FOREVER);
        AddressMessage retimed = AddressMessage.parse(sent(AddressMessage.lifetimesRequest(v6, deprecated)));
        assertThat(retimed.address()).isEqualTo(v6.address());
        assertThat(retimed.index()).isEqualTo(v6.index());
        assertThat(retimed.scope()).isEqualTo(v6.scope());
        assertThat(retimed.flags() & AddressMessage.REPLACEABLE_ADDRESS_FLAGS)
                .as("the flags a replace would otherwise clear are sent back")
                .isEqualTo(v6.flags() & AddressMessage.REPLACEABLE_ADDRESS_FLAGS);
        assertThat(retimed.lifetimes()).isEqualTo(deprecated);
        assertThat(retimed.state()).isEqualTo(AddressState.USABLE);
    }

    @Test
    void theRouteWithASourcePacksBackAndMovesToANewSourceUnderTheSameKey() {
        List<NetlinkMessage> messages = Captures.read("rtm_newroute");
        assertThat(messages).hasSize(1);
        assertThat(repacked(messages.get(0), b -> StructRtMsg.parse(b)::pack)).isEqualTo(raw(messages.get(0)));
        RouteMessage route = RouteMessage.parse(messages.get(0));
        assertThat(route.preferredSource()).isEqualTo(OLD);
        assertThat(route.text(Map.of(route.route().outputInterface(), "v0")))
                .startsWith("10.20.0.0/16 via 10.9.0.254 dev v0");

        RouteMessage moved = RouteMessage.parse(sent(RouteMessage.request(RTM_NEWROUTE,
                NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, route.key(), NEW)));
        assertThat(moved.key()).isEqualTo(route.key());
        assertThat(moved.preferredSource()).isEqualTo(NEW);
    }

    @Test
    void theRuleFromTheOldAddressPacksBackAndIsCopiedToTheNewOneUnderTheSameKey() {
        List<NetlinkMessage> messages = Captures.read("rtm_newrule");
        assertThat(ruleView(messages)).containsExactly("from 10.9.0.1 lookup 100 priority 1000 copyable");
        assertThat(repacked(messages.get(0), b -> StructFibRuleHdr.parse(b)::pack)).isEqualTo(raw(messages.get(0)));
        RuleMessage rule = RuleMessage.parse(messages.get(0));

        RuleMessage copy = RuleMessage.parse(sent(RuleMessage.addRequest(rule.key(OLD), NEW)));
        assertThat(copy.selects(NEW)).isTrue();
        assertThat(copy.selects(OLD)).isFalse();
        assertThat(copy.key(NEW)).isEqualTo(rule.key(OLD));
        assertThat(copy.text()).isEqualTo("from 10.9.0.3 lookup 100 priority 1000");
    }

    // ------------------------------------------------------------------ views, shared with the capture test

    static List<String> linkView(List<NetlinkMessage> messages) {
        return parse(messages, LinkMessage::parse).stream().map(link -> link.name() + " " + link.kind()
                + (link.isUp() ? " up" : " down") + " promote_secondaries=" + link.promoteSecondaries()).toList();
    }

    static List<String> addressView(List<NetlinkMessage> messages) {
        return parse(messages, AddressMessage::parse).stream().map(a -> a.address() + " scope " + a.scope()
                + " label " + a.label() + " " + a.state() + " " + a.lifetimes()).toList();
    }

    static List<String> routeView(List<NetlinkMessage> messages) {
        return parse(messages, RouteMessage::parse).stream().map(r -> r.text(Map.of(r.route().outputInterface(), "v0"))
                + " src " + IpLiterals.format(r.preferredSource())).toList();
    }

    static List<String> ruleView(List<NetlinkMessage> messages) {
        return parse(messages, RuleMessage::parse).stream()
                .map(r -> r.text() + (r.copyableFrom(OLD) ? " copyable" : " not copyable")).toList();
    }

    private static <T> List<T> parse(List<NetlinkMessage> messages, Function<NetlinkMessage, T> parser) {
        return messages.stream().map(parser).filter(Objects::nonNull).toList();
    }

    /** The message as the agent sends it, read back as the kernel reads it. */
    private static NetlinkMessage sent(NetlinkRequest request) {
        return Hex.messages(Hex.of(request.toBytes(1))).get(0);
    }

    private static byte[] raw(NetlinkMessage message) {
        return Captures.raw(message);
    }

    /**
     * The message packed again from what its codec parsed: the header, the struct ({@code struct} parses it and
     * returns its packer) and every attribute.
     */
    static byte[] repacked(NetlinkMessage message, Function<ByteBuffer, Consumer<ByteBuffer>> struct) {
        ByteBuffer body = message.body();
        Consumer<ByteBuffer> packStruct = struct.apply(body);
        List<StructNlAttr> attributes = StructNlAttr.parseAll(body);
        ByteBuffer out = ByteBuffer.allocate(message.header().length() + 64).order(ByteOrder.nativeOrder());
        message.header().pack(out);
        packStruct.accept(out);
        attributes.forEach(attribute -> attribute.pack(out));
        return Arrays.copyOf(out.array(), out.position());
    }
}
