package org.renumber.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.linux.ScratchNamespace;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/**
 * {@link Sandbox#ensure(String)} against the real kernel under a unique namespace name (never the real
 * {@value Sandbox#NAMESPACE}), observed the way a user would: {@code ip -j -n NAME link / addr}.
 */
@KernelTest
class SandboxTest {

    private ScratchNamespace ns;

    @BeforeEach
    void pickAName() {
        ns = ScratchNamespace.name();
    }

    @AfterEach
    void deleteTheNamespace() {
        ns.close();
    }

    @Test
    void ensureCreatesTheNamespaceWithTheVethPairAddressedAndUp() {
        Sandbox.Layout layout = Sandbox.ensure(ns.get());

        assertThat(layout).isEqualTo(new Sandbox.Layout(ns.get(), true, Sandbox.ADDRESS, List.of()));
        assertThat(ns.listed()).isTrue();
        assertThat(ns.ipv4Addresses("rn0")).containsExactly("10.77.0.1/24");
        assertThat(ns.ipv4Addresses("rn1")).containsExactly("10.77.0.2/24");
        assertThat(ns.link("rn0").path("linkinfo").path("info_kind").asText()).isEqualTo("veth");
        assertThat(ns.link("rn0").path("link").asText()).isEqualTo("rn1");
        assertThat(ns.flags("rn0")).contains("UP", "LOWER_UP");
        assertThat(ns.flags("rn1")).contains("UP", "LOWER_UP");
        assertThat(ns.flags("lo")).contains("UP");
        assertThat(ns.ipJson("-4", "addr", "show", "dev", "rn0").get(0).path("addr_info").get(0).path("broadcast").asText())
                .isEqualTo("10.77.0.255");
        assertThat(hostLinkNames()).doesNotContain("rn0", "rn1");
    }

    @Test
    void aSecondEnsureReusesTheSandboxAsItIs() {
        Sandbox.ensure(ns.get());
        String identity = ns.identity();
        String links = ns.ipJson("link").toString();

        Sandbox.Layout layout = Sandbox.ensure(ns.get());

        assertThat(layout).isEqualTo(new Sandbox.Layout(ns.get(), false, Sandbox.ADDRESS, List.of()));
        assertThat(ns.identity()).isEqualTo(identity);
        assertThat(ns.ipJson("link").toString()).isEqualTo(links);
        assertThat(ns.ipv4Addresses("rn0")).containsExactly("10.77.0.1/24");
    }

    @Test
    void ensureCompletesMissingAddressesAndLinksLeftDown() {
        Sandbox.ensure(ns.get());
        ns.ip("addr", "del", "10.77.0.2/24", "dev", "rn1");
        ns.ip("link", "set", "rn0", "down");
        ns.ip("link", "set", "lo", "down");

        Sandbox.Layout layout = Sandbox.ensure(ns.get());

        assertThat(layout.created()).isFalse();
        assertThat(layout.completed()).containsExactly("10.77.0.2/24 on rn1", "lo up", "rn0 up");
        assertThat(ns.ipv4Addresses("rn1")).containsExactly("10.77.0.2/24");
        assertThat(ns.flags("rn0")).contains("UP", "LOWER_UP");
        assertThat(ns.flags("lo")).contains("UP");
    }

    @Test
    void ensureRecreatesADeletedVethPairInAnExistingNamespace() {
        NetNsFixture.run("ip", "netns", "add", ns.get());

        Sandbox.Layout layout = Sandbox.ensure(ns.get());

        assertThat(layout.created()).isFalse();
        assertThat(layout.completed()).containsExactly("veth pair rn0/rn1", "10.77.0.1/24 on rn0",
                "10.77.0.2/24 on rn1", "lo up", "rn0 up", "rn1 up");
        assertThat(ns.ipv4Addresses("rn0")).containsExactly("10.77.0.1/24");
        assertThat(ns.flags("rn1")).contains("UP", "LOWER_UP");
    }

    @Test
    void anAddressTheManagedInterfaceWasChangedToIsKept() {
        Sandbox.ensure(ns.get());
        // In this order: deleting a primary first would take a secondary of its subnet with it.
        ns.ip("addr", "del", "10.77.0.1/24", "dev", "rn0");
        ns.ip("addr", "add", "10.77.0.9/24", "brd", "+", "dev", "rn0");

        Sandbox.Layout layout = Sandbox.ensure(ns.get());

        assertThat(layout.completed()).isEmpty();
        assertThat(layout.address()).isEqualTo("10.77.0.9/24");
        assertThat(ns.ipv4Addresses("rn0")).containsExactly("10.77.0.9/24");
    }

    @Test
    void aNamespaceWithSomeOtherRn0IsRefusedAndLeftAlone() {
        NetNsFixture.run("ip", "netns", "add", ns.get());
        ns.ip("link", "add", "rn0", "type", "veth", "peer", "name", "other0");

        assertThatThrownBy(() -> Sandbox.ensure(ns.get()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not the sandbox's veth pair")
                .hasMessageContaining("ip netns del " + ns.get());
        assertThat(ns.listed()).isTrue();
        assertThat(ns.ipv4Addresses("rn0")).isEmpty();
    }

    private static List<String> hostLinkNames() {
        String out = NetNsFixture.run("ip", "-o", "link", "show");
        return out.lines().map(line -> line.split(": ")[1].split("@")[0]).toList();
    }
}
