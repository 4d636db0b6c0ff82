package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_ROUTE;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.Captures;
import org.renumber.linux.LibC;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.NetlinkSocket;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/**
 * Takes the rtnetlink replies {@link CapturedRtnetlinkRepliesTest} parses from the running kernel again, in
 * namespace A of a {@link NetNsFixture} with a route and a rule added, answering the requests the agent sends,
 * and checks that they still read as the checked-in ones: the captures stay true to today's kernel. With
 * {@code -Dnetlink.capture=write} it writes them anew (then review and commit the files).
 */
@KernelTest
class RtnetlinkCapturesTest {

    static final InetAddress OLD = IpLiterals.parse("10.9.0.1");
    static final String ROUTE = "10.20.0.0/16";

    private NetNsFixture fixture;
    private LinuxNetns netns;
    private NetlinkSocket socket;

    @BeforeEach
    void createNamespaces() {
        fixture = NetNsFixture.create();
        fixture.ip(fixture.a(), "route", "add", ROUTE, "via", "10.9.0.254", "dev", NetNsFixture.IF_A, "src", "10.9.0.1");
        fixture.ip(fixture.a(), "rule", "add", "from", "10.9.0.1", "lookup", "100", "priority", "1000");
        netns = LinuxNetns.open(fixture.a());
        socket = NetlinkSocket.openIn(netns, NETLINK_ROUTE);
    }

    @AfterEach
    void deleteNamespaces() {
        try (NetNsFixture f = fixture; LinuxNetns n = netns; NetlinkSocket s = socket) {
            // closed in reverse order, each even if another fails
        }
    }

    @Test
    void todaysKernelAnswersAsTheCapturesSay() {
        byte[] name = "v0\0".getBytes(StandardCharsets.US_ASCII);
        List<byte[]> link = capture(LinkMessage.byNameRequest(name), m -> LinkMessage.parse(m) != null);
        int index = LinkMessage.parse(Captures.parse(link).get(0)).index();
        List<byte[]> addresses = capture(AddressMessage.dumpRequest(LibC.AF_UNSPEC), m -> {
            AddressMessage a = AddressMessage.parse(m);
            return a != null && a.index() == index && !a.address().address().isLinkLocalAddress();
        });
        List<byte[]> routes = capture(RouteMessage.dumpRequest(LibC.AF_INET), m -> {
            RouteMessage r = RouteMessage.parse(m);
            return r != null && r.text(Map.of()).startsWith(ROUTE);
        });
        List<byte[]> rules = capture(RuleMessage.dumpRequest(LibC.AF_INET), m -> {
            RuleMessage r = RuleMessage.parse(m);
            return r != null && r.selects(OLD);
        });
        if (Captures.writing()) {
            String how = "; captured by RtnetlinkCapturesTest (-Dnetlink.capture=write) on Linux "
                    + System.getProperty("os.version") + ", " + System.getProperty("os.arch");
            Captures.write("rtm_newlink", "RTM_NEWLINK of v0 (a veth, up), answer to LinkMessage.byNameRequest" + how,
                    link);
            Captures.write("rtm_newaddr", "RTM_NEWADDR of v0: 10.9.0.1/24 and 2001:db8:9::1/64 (nodad), answer to "
                    + "AddressMessage.dumpRequest(AF_UNSPEC)" + how, addresses);
            Captures.write("rtm_newroute", "RTM_NEWROUTE of 'ip route add 10.20.0.0/16 via 10.9.0.254 dev v0 src "
                    + "10.9.0.1', from RouteMessage.dumpRequest(AF_INET)" + how, routes);
            Captures.write("rtm_newrule", "RTM_NEWRULE of 'ip rule add from 10.9.0.1 lookup 100 priority 1000', from "
                    + "RuleMessage.dumpRequest(AF_INET)" + how, rules);
            return; // the class path still has the old files: compare on the next run
        }
        assertThat(CapturedRtnetlinkRepliesTest.linkView(Captures.parse(link)))
                .isEqualTo(CapturedRtnetlinkRepliesTest.linkView(Captures.read("rtm_newlink")));
        assertThat(CapturedRtnetlinkRepliesTest.addressView(Captures.parse(addresses)))
                .isEqualTo(CapturedRtnetlinkRepliesTest.addressView(Captures.read("rtm_newaddr")));
        assertThat(CapturedRtnetlinkRepliesTest.routeView(Captures.parse(routes)))
                .isEqualTo(CapturedRtnetlinkRepliesTest.routeView(Captures.read("rtm_newroute")));
        assertThat(CapturedRtnetlinkRepliesTest.ruleView(Captures.parse(rules)))
                .isEqualTo(CapturedRtnetlinkRepliesTest.ruleView(Captures.read("rtm_newrule")));
    }

    private List<byte[]> capture(NetlinkRequest request, Predicate<NetlinkMessage> wanted) {
        return socket.transact("capture in " + netns.describe(), request,
                m -> wanted.test(m) ? Captures.raw(m) : null);
    }
}
