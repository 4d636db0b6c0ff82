package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.renumber.testing.NetNsFixture.IF_A;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.LinuxNetns;
import org.renumber.testing.KernelSnapshot;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/**
 * The local route (table local) of a new address, and the source a client on the same node gets when it connects
 * to that address, with real sockets in namespace A of a {@link NetNsFixture} (docs/architecture.md, "Kernel
 * facts"): the kernel gives a secondary's local route its subnet's primary as source (fib_add_ifaddr).
 */
@KernelTest
class LocalRoutesTest {

    private static final InterfaceAddress OLD = InterfaceAddress.parse("10.9.0.1/24");

    private NetNsFixture fixture;
    private LinuxNetns netns;
    private NetlinkNetworkControl control;

    @BeforeEach
    void createNamespaces() {
        fixture = NetNsFixture.create();
        fixture.setSysctl(fixture.a(), "net.ipv4.conf." + IF_A + ".promote_secondaries", "1");
        netns = LinuxNetns.open(fixture.a());
        control = new NetlinkNetworkControl(netns);
    }

    @AfterEach
    void deleteNamespaces() {
        try (NetNsFixture f = fixture; LinuxNetns n = netns; NetlinkNetworkControl c = control) {
            // closed in reverse order, each even if another fails
        }
    }

    /** Kernel fact: a node-local client of a new secondary leaves from the primary; of its own subnet's, from it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"10.9.0.7/24, 10.9.0.1", "10.9.1.1/24, 10.9.1.1"})
    void aNodeLocalClientOfANewAddressLeavesFromItsSubnetsPrimary(String added, String source) throws Exception {
        InterfaceAddress address = InterfaceAddress.parse(added);
        control.addAddress(IF_A, address);
        assertThat(fixture.ip(fixture.a(), "-4", "route", "show", "table", "local", address.address().getHostAddress()))
                .contains("src " + source);
        assertThat(sourceOfAConnectionTo(address.address())).isEqualTo(IpLiterals.parse(source));
        assertThat(control.localRouteSource(IF_A, address.address())).isEqualTo(IpLiterals.parse(source));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"10.9.0.7/24", "10.9.1.1/24"})
    void steeringTheLocalRouteMovesNodeLocalClientsAndGivingItBackLeavesTheKernelAsItWas(String added)
            throws Exception {
        InterfaceAddress address = InterfaceAddress.parse(added);
        InetAddress kernels = address.sameSubnet(OLD) ? OLD.address() : address.address();
        control.addAddress(IF_A, address);
        String before = KernelSnapshot.of(fixture, fixture.a());

        control.setLocalRouteSource(IF_A, address.address(), address.address());
        control.setLocalRouteSource(IF_A, address.address(), address.address());
        assertThat(sourceOfAConnectionTo(address.address())).isEqualTo(address.address());
        assertThat(fixture.ip(fixture.a(), "-4", "route", "show", "table", "local", address.address().getHostAddress())
                .lines()).singleElement().asString().contains("src " + address.address().getHostAddress());

        control.setLocalRouteSource(IF_A, address.address(), kernels);
        assertThat(KernelSnapshot.of(fixture, fixture.a())).isEqualTo(before);
        assertThat(sourceOfAConnectionTo(address.address())).isEqualTo(kernels);
    }

    /** After the old primary goes, the promoted new address's local route is the kernel's own, and no route names it. */
    @Test
    void aSteeredSecondaryPromotedByTheRemovalOfThePrimaryKeepsItsRouteAndNothingNamesTheOldAddress()
            throws Exception {
        InterfaceAddress added = InterfaceAddress.parse("10.9.0.7/24");
        control.addAddress(IF_A, added);
        control.setLocalRouteSource(IF_A, added.address(), added.address());
        control.removeAddress(IF_A, OLD);

        assertThat(fixture.ip(fixture.a(), "-4", "route", "show", "table", "all")).doesNotContain("10.9.0.1 ");
        assertThat(fixture.ip(fixture.a(), "-4", "route", "show", "table", "local", "10.9.0.7").lines())
                .singleElement().asString().contains("src 10.9.0.7");
        assertThat(sourceOfAConnectionTo(added.address())).isEqualTo(added.address());
    }

    /** Kernel fact: a steered local route outlives its address (fib_del_ifaddr deletes the primary's only). */
    @Test
    void aSteeredLocalRouteOutlivesItsAddressUntilDeleted() {
        InterfaceAddress added = InterfaceAddress.parse("10.9.0.7/24");
        control.addAddress(IF_A, added);
        control.setLocalRouteSource(IF_A, added.address(), added.address());
        control.removeAddress(IF_A, added);
        assertThat(fixture.ip(fixture.a(), "-4", "route", "show", "table", "local", "10.9.0.7")).contains("src 10.9.0.7");

        control.deleteLocalRoute(IF_A, added.address(), added.address());
        assertThat(fixture.ip(fixture.a(), "-4", "route", "show", "table", "all")).doesNotContain("10.9.0.7");
    }

    /** A real TCP connection from this namespace to {@code address}: the source the kernel chose for it. */
    private InetAddress sourceOfAConnectionTo(InetAddress address) {
        return netns.call(() -> {
            try (ServerSocket server = new ServerSocket(0, 1, address); Socket client = new Socket()) {
                client.connect(server.getLocalSocketAddress(), 10_000);
                try (Socket accepted = server.accept()) {
                    return client.getLocalAddress();
                }
            }
        });
    }
}
