package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.NetworkException;
import org.renumber.linux.Errno;
import org.renumber.linux.LinuxNamespaces;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.ScratchNamespace;
import org.renumber.testing.KernelTest;

/**
 * {@link NetlinkLinks} against the real kernel in a namespace of its own (made by {@link LinuxNamespaces}),
 * checked with {@code ip -j -n NAME link}.
 */
@KernelTest
class NetlinkLinksTest {

    private ScratchNamespace ns;
    private LinuxNetns netns;
    private NetlinkLinks links;

    @BeforeEach
    void createNamespace() {
        ns = ScratchNamespace.name();
        LinuxNamespaces.create(ns.get());
        netns = LinuxNetns.open(ns.get());
        links = new NetlinkLinks(netns);
    }

    @AfterEach
    void deleteNamespace() {
        try (ScratchNamespace n = ns; LinuxNetns t = netns; NetlinkLinks l = links) {
            // closed in reverse order, each even if another fails
        }
    }

    @Test
    void vethPairIsCreatedInsideTheNamespaceWithBothEndsDown() {
        links.createVethPair("rn0", "rn1");

        JsonNode rn0 = ns.link("rn0");
        JsonNode rn1 = ns.link("rn1");
        assertThat(rn0.path("linkinfo").path("info_kind").asText()).isEqualTo("veth");
        assertThat(rn1.path("linkinfo").path("info_kind").asText()).isEqualTo("veth");
        assertThat(rn0.path("link").asText()).isEqualTo("rn1");
        assertThat(rn1.path("link").asText()).isEqualTo("rn0");
        assertThat(ns.flags("rn0")).doesNotContain("UP");
        assertThat(ns.flags("rn1")).doesNotContain("UP");
        assertThat(hostLinkNames()).doesNotContain("rn0", "rn1");
    }

    @Test
    void linksUpHaveCarrierOnceBothEndsAreUp() {
        links.createVethPair("rn0", "rn1");

        links.setUp("rn0");
        assertThat(ns.flags("rn0")).contains("UP").doesNotContain("LOWER_UP"); // M-DOWN: the peer is down
        links.setUp("rn1");
        links.setUp("lo");
        links.setUp("lo"); // already up: stays up, no error

        assertThat(ns.flags("rn0")).contains("UP", "LOWER_UP");
        assertThat(ns.flags("rn1")).contains("UP", "LOWER_UP");
        assertThat(ns.flags("lo")).contains("UP");
        assertThat(ns.ipJson("-4", "addr", "show", "dev", "lo").get(0).path("addr_info").get(0).path("local").asText())
                .isEqualTo("127.0.0.1");
    }

    @Test
    void linksAreWhatIpLinkShows() {
        links.createVethPair("rn0", "rn1");
        links.setUp("rn1");

        List<LinkMessage> listed = links.links();

        assertThat(listed).extracting(LinkMessage::name).containsExactlyInAnyOrder("lo", "rn0", "rn1");
        for (LinkMessage link : listed) {
            JsonNode shown = ns.link(link.name());
            assertThat(link.index()).isEqualTo(shown.path("ifindex").asInt());
            assertThat(link.isUp()).as(link.name() + " up").isEqualTo(ns.flags(link.name()).contains("UP"));
            assertThat(link.kind()).isEqualTo(shown.path("linkinfo").path("info_kind").textValue());
        }
        LinkMessage rn0 = links.find("rn0");
        assertThat(rn0.linkIndex()).isEqualTo(links.find("rn1").index());
        assertThat(links.find("rn9")).isNull();
    }

    @Test
    void creatingAPairWhoseNameIsTakenFailsWithEexist() {
        links.createVethPair("rn0", "rn1");

        assertThatThrownBy(() -> links.createVethPair("rn0", "rn2"))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("create veth pair rn0 / rn2")
                .satisfies(e -> assertThat(((NetworkException) e).errno()).isEqualTo(Errno.EEXIST));
        assertThat(links.find("rn2")).isNull();
    }

    @Test
    void settingUpAnUnknownInterfaceIsTheCallersMistake() {
        assertThatThrownBy(() -> links.setUp("rn9"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rn9").hasMessageContaining(ns.get());
    }

    private static List<String> hostLinkNames() {
        String out = org.renumber.testing.NetNsFixture.run("ip", "-o", "link", "show");
        return out.lines().map(line -> line.split(": ")[1].split("@")[0]).toList();
    }
}
