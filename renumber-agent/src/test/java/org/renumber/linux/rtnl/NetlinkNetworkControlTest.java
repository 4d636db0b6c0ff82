package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.renumber.testing.NetNsFixture.IF_A;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.NetInterface;
import org.renumber.domain.NetworkException;
import org.renumber.linux.Errno;
import org.renumber.linux.IpText;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetlinkControlFixture;

/**
 * {@link NetlinkNetworkControl} against the real kernel in namespace A of a {@link NetNsFixture}, checked
 * with iproute2's view ({@code ip -j}). Some tests document kernel behaviour the workflow depends on.
 */
@KernelTest
class NetlinkNetworkControlTest extends NetlinkControlFixture {

    private static final InterfaceAddress OLD = InterfaceAddress.parse("10.9.0.1/24");
    private static final InterfaceAddress NEW = InterfaceAddress.parse("10.9.0.3/24");
    private static final InterfaceAddress OLD6 = InterfaceAddress.parse("2001:db8:9::1/64");
    private static final InterfaceAddress NEW6 = InterfaceAddress.parse("2001:db8:9::5/64");
    /** Far longer than DAD takes (about a second): only a broken wait runs into it. */
    private static final Duration DAD_WAIT = Duration.ofSeconds(30);

    @Test
    void interfacesAndAddressesAreWhatIpAddrShowsInKernelOrder() {
        // The IPv6 link-local address appears when the kernel notices the carrier, a moment after set-up.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(asText(control.interfaces())).isEqualTo(ipAddr()));
        assertThat(asText(control.interfaces())).anySatisfy(line -> assertThat(line).startsWith("v0: 10.9.0.1/24 2001:db8:9::1/64"));
    }

    @Test
    void addedAddressesAppearWithTheBroadcastIpWouldSetAndRemovedOnesGo() {
        control.addAddress(IF_A, NEW);
        control.addAddress(IF_A, InterfaceAddress.parse("2001:db8:9::3/64"));

        assertThat(fixture.addresses(fixture.a(), IF_A)).contains("10.9.0.3/24", "2001:db8:9::3/64");
        assertThat(addressInfo("10.9.0.3").path("broadcast").asText()).isEqualTo("10.9.0.255");
        assertThat(addressInfo("10.9.0.3").path("secondary").asBoolean()).isTrue();

        control.removeAddress(IF_A, NEW);
        control.removeAddress(IF_A, InterfaceAddress.parse("2001:db8:9::3/64"));

        assertThat(fixture.addresses(fixture.a(), IF_A)).doesNotContain("10.9.0.3/24", "2001:db8:9::3/64")
                .contains("10.9.0.1/24", "2001:db8:9::1/64");
    }

    @Test
    void addingAnAddressThatExistsFailsWithEexist() {
        assertThatThrownBy(() -> control.addAddress(IF_A, OLD))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("add address 10.9.0.1/24 to v0")
                .hasMessageContaining("File exists (EEXIST)")
                .satisfies(e -> assertThat(((NetworkException) e).errno()).isEqualTo(Errno.EEXIST));
    }

    @Test
    void removingAnAddressThatIsNotThereFailsWithTheKernelsReason() {
        assertThatThrownBy(() -> control.removeAddress(IF_A, InterfaceAddress.parse("10.9.0.99/24")))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("remove address 10.9.0.99/24 from v0")
                .satisfies(e -> assertThat(((NetworkException) e).errno()).isEqualTo(Errno.EADDRNOTAVAIL));
    }

    @Test
    void removeDeletesOnlyTheEntryWithTheGivenPrefix() {
        // The same IPv4 address can be configured twice with different prefixes.
        control.addAddress(IF_A, InterfaceAddress.parse("10.8.0.7/24"));
        control.addAddress(IF_A, InterfaceAddress.parse("10.8.0.7/16"));

        control.removeAddress(IF_A, InterfaceAddress.parse("10.8.0.7/16"));

        assertThat(fixture.addresses(fixture.a(), IF_A)).contains("10.8.0.7/24").doesNotContain("10.8.0.7/16");
    }

    @Test
    void unknownInterfaceIsAnIllegalArgumentNamingIt() {
        assertThatThrownBy(() -> control.addAddress("nope0", NEW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope0")
                .hasMessageContaining(fixture.a());
        assertThatThrownBy(() -> control.promoteSecondaries("a-name-far-too-long"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a-name-far-too-long");
    }

    @Test
    void promoteSecondariesIsSetThroughNetlinkAndReadBack() {
        assertThat(control.promoteSecondaries(IF_A)).isFalse();

        control.setPromoteSecondaries(IF_A, true);

        assertThat(control.promoteSecondaries(IF_A)).isTrue();
        assertThat(fixture.sysctl(fixture.a(), "net.ipv4.conf.v0.promote_secondaries")).isEqualTo("1");

        control.setPromoteSecondaries(IF_A, false);

        assertThat(control.promoteSecondaries(IF_A)).isFalse();
        assertThat(fixture.sysctl(fixture.a(), "net.ipv4.conf.v0.promote_secondaries")).isEqualTo("0");
    }

    @Test
    void promoteSecondariesOfAllCountsBecauseTheKernelOrsItWithTheInterfaces() {
        fixture.setSysctl(fixture.a(), "net.ipv4.conf.all.promote_secondaries", "1");

        assertThat(control.promoteSecondaries(IF_A)).isTrue();
        assertThat(fixture.sysctl(fixture.a(), "net.ipv4.conf.v0.promote_secondaries")).isEqualTo("0");
        control.addAddress(IF_A, NEW);
        control.removeAddress(IF_A, OLD);
        assertThat(fixture.addresses(fixture.a(), IF_A)).contains("10.9.0.3/24");
    }

    /** Kernel fact (docs/architecture.md): the trap the workflow avoids. */
    @Test
    void withoutPromotionRemovingThePrimaryTakesTheNewSecondaryAndItsRouteWithIt() {
        control.addAddress(IF_A, NEW);
        control.setConnectedRouteSource(IF_A, OLD, NEW.address());

        control.removeAddress(IF_A, OLD);

        assertThat(fixture.addresses(fixture.a(), IF_A)).doesNotContain("10.9.0.1/24", "10.9.0.3/24");
        assertThat(control.connectedRouteSource(IF_A, OLD)).isNull();
    }

    @Test
    void withPromotionTheNewAddressAndTheSteeredRouteSurviveRemovalOfTheOldPrimary() {
        control.setPromoteSecondaries(IF_A, true);
        control.addAddress(IF_A, NEW);
        control.setConnectedRouteSource(IF_A, OLD, NEW.address());

        control.removeAddress(IF_A, OLD);

        assertThat(fixture.addresses(fixture.a(), IF_A)).contains("10.9.0.3/24").doesNotContain("10.9.0.1/24");
        assertThat(addressInfo("10.9.0.3").path("secondary").asBoolean()).as("promoted to primary").isFalse();
        assertThat(control.connectedRouteSource(IF_A, NEW)).isEqualTo(NEW.address());
        assertThat(fixture.routeSource(fixture.a(), "10.9.0.2")).isEqualTo("10.9.0.3");
    }

    @Test
    void steeringTheConnectedRouteMovesNewOutboundTrafficToTheNewSource() {
        control.addAddress(IF_A, NEW);
        assertThat(control.connectedRouteSource(IF_A, OLD)).isEqualTo(OLD.address());
        assertThat(fixture.routeSource(fixture.a(), "10.9.0.2")).isEqualTo("10.9.0.1");

        control.setConnectedRouteSource(IF_A, OLD, NEW.address());

        assertThat(fixture.routeSource(fixture.a(), "10.9.0.2")).isEqualTo("10.9.0.3");
        assertThat(control.connectedRouteSource(IF_A, OLD)).isEqualTo(NEW.address());
        JsonNode routes = fixture.ipJson(fixture.a(), "-4", "route", "show", "10.9.0.0/24");
        assertThat(routes).as("replaced, not appended: %s", routes).hasSize(1);
        assertThat(routes.get(0).path("protocol").asText()).isEqualTo("kernel");
        assertThat(routes.get(0).path("scope").asText()).isEqualTo("link");
    }

    /** Kernel fact: deleting an address removes only the connected route whose source is that address. */
    @Test
    void aRouteSteeredToAnAddressInAnotherSubnetSurvivesRemovalOfTheOldAddressUntilDeleted() {
        InterfaceAddress other = InterfaceAddress.parse("10.9.1.1/24");
        control.addAddress(IF_A, other);
        control.setConnectedRouteSource(IF_A, OLD, other.address());

        control.removeAddress(IF_A, OLD);

        assertThat(control.connectedRouteSource(IF_A, OLD)).isEqualTo(other.address());
        assertThat(fixture.routeSource(fixture.a(), "10.9.0.2")).isEqualTo("10.9.1.1");

        control.deleteConnectedRoute(IF_A, OLD);
        control.deleteConnectedRoute(IF_A, OLD); // absent now: nothing to do

        assertThat(control.connectedRouteSource(IF_A, OLD)).isNull();
        assertThat(fixture.ipJson(fixture.a(), "-4", "route", "show", "10.9.0.0/24")).isEmpty();
    }

    @Test
    void ipv6ConnectedRouteKeepsItsMetricWhenItsSourceIsSet() {
        InterfaceAddress old6 = InterfaceAddress.parse("2001:db8:9::1/64");
        InterfaceAddress new6 = InterfaceAddress.parse("2001:db8:9::3/64");
        // A tentative IPv6 address (DAD running) cannot be a route's source: EINVAL "Invalid source address".
        fixture.ip(fixture.a(), "addr", "add", "2001:db8:9::3/64", "dev", IF_A, "nodad");

        control.setConnectedRouteSource(IF_A, old6, new6.address());

        JsonNode routes = fixture.ipJson(fixture.a(), "-6", "route", "show", "2001:db8:9::/64");
        assertThat(routes).as("%s", routes).hasSize(1);
        assertThat(routes.get(0).path("metric").asInt()).isEqualTo(256);
        assertThat(control.connectedRouteSource(IF_A, old6)).isEqualTo(IpLiterals.parse("2001:db8:9::3"));
    }

    @Test
    void aNewIpv6AddressIsTentativeUntilDuplicateAddressDetectionEndsAndTheWaitFollowsIt() throws Exception {
        control.addAddress(IF_A, NEW6);
        assertThat(addressInfo6("2001:db8:9::5").path("tentative").asBoolean())
                .as("DAD runs on an address added without nodad").isTrue();

        AddressState state = control.awaitUsable(IF_A, NEW6, DAD_WAIT).get(60, TimeUnit.SECONDS);

        assertThat(state).isEqualTo(AddressState.USABLE);
        assertThat(addressInfo6("2001:db8:9::5").has("tentative")).as("%s", addressInfo6("2001:db8:9::5")).isFalse();
        assertThat(control.awaitUsable(IF_A, NEW6, DAD_WAIT)).as("settled: answered at once").isDone();
    }

    @Test
    void anAddressAnotherNodeHoldsOnTheLinkEndsAsDuplicate() throws Exception {
        fixture.ip(fixture.b(), "addr", "add", "2001:db8:9::5/64", "dev", NetNsFixture.IF_B, "nodad");
        control.addAddress(IF_A, NEW6);

        AddressState state = control.awaitUsable(IF_A, NEW6, DAD_WAIT).get(60, TimeUnit.SECONDS);

        assertThat(state).isEqualTo(AddressState.DUPLICATE);
        assertThat(addressInfo6("2001:db8:9::5").path("dadfailed").asBoolean()).isTrue();
    }

    @Test
    void anAbsentAddressIsReportedAtOnceAndOneRemovedDuringTheWaitEndsIt() throws Exception {
        assertThat(control.awaitUsable(IF_A, NEW6, DAD_WAIT).get(10, TimeUnit.SECONDS)).isEqualTo(AddressState.ABSENT);
        assertThat(control.awaitUsable(IF_A, OLD, DAD_WAIT).get(10, TimeUnit.SECONDS))
                .as("IPv4 has no DAD").isEqualTo(AddressState.USABLE);

        fixture.ip(fixture.b(), "link", "set", NetNsFixture.IF_B, "down"); // no carrier: DAD waits for good
        control.addAddress(IF_A, NEW6);
        CompletableFuture<AddressState> waiting = control.awaitUsable(IF_A, NEW6, DAD_WAIT);
        assertThat(waiting).isNotDone();
        control.removeAddress(IF_A, NEW6);

        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(AddressState.ABSENT);
    }

    @Test
    void aWaitEndsTentativeAtItsTimeoutOrWhenCancelled() throws Exception {
        fixture.ip(fixture.b(), "link", "set", NetNsFixture.IF_B, "down");
        control.addAddress(IF_A, NEW6);

        assertThat(control.awaitUsable(IF_A, NEW6, Duration.ofMillis(200)).get(10, TimeUnit.SECONDS))
                .isEqualTo(AddressState.TENTATIVE);
        CompletableFuture<AddressState> waiting = control.awaitUsable(IF_A, NEW6, DAD_WAIT);
        waiting.cancel(false);
        await().untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("renumber-dad-")));
    }

    @Test
    void deprecatingAnIpv6AddressKeepsItsFlagsAndUndoingItRestoresItExactly() {
        fixture.awaitSettled(fixture.a());
        String before = fixture.ip(fixture.a(), "-j", "addr");
        assertThat(control.lifetimes(IF_A, OLD6)).isEqualTo(AddressLifetimes.PERMANENT);

        control.setLifetimes(IF_A, OLD6, AddressLifetimes.PERMANENT.deprecated());

        JsonNode info = addressInfo6("2001:db8:9::1");
        assertThat(info.path("deprecated").asBoolean()).isTrue();
        assertThat(info.path("nodad").asBoolean()).as("flags kept: %s", info).isTrue();
        assertThat(info.path("preferred_life_time").asLong()).isZero();
        assertThat(info.path("valid_life_time").asLong()).isEqualTo(AddressLifetimes.FOREVER);
        assertThat(control.lifetimes(IF_A, OLD6)).isEqualTo(new AddressLifetimes(0, AddressLifetimes.FOREVER));
        assertThat(fixture.ipJson(fixture.a(), "-6", "route", "show", "2001:db8:9::/64")).hasSize(1);

        control.setLifetimes(IF_A, OLD6, AddressLifetimes.PERMANENT);

        assertThat(fixture.ip(fixture.a(), "-j", "addr")).isEqualTo(before);
        assertThat(control.lifetimes(IF_A, InterfaceAddress.parse("2001:db8:9::99/64"))).isNull();
        assertThatThrownBy(() -> control.setLifetimes(IF_A, InterfaceAddress.parse("2001:db8:9::99/64"),
                AddressLifetimes.PERMANENT))
                .isInstanceOf(NetworkException.class).hasMessageContaining("not on v0");
        assertThat(fixture.addresses(fixture.a(), IF_A)).doesNotContain("2001:db8:9::99/64");
    }

    @Test
    void deprecationKeepsAFiniteValidLifetimeAndTheNoprefixrouteFlag() {
        fixture.ip(fixture.a(), "addr", "add", "2001:db8:9::7/64", "dev", IF_A, "nodad", "noprefixroute",
                "valid_lft", "3600", "preferred_lft", "1800");
        InterfaceAddress a = InterfaceAddress.parse("2001:db8:9::7/64");
        AddressLifetimes before = control.lifetimes(IF_A, a);
        assertThat(before.validSeconds()).isBetween(3500L, 3600L);

        control.setLifetimes(IF_A, a, before.deprecated());

        JsonNode info = addressInfo6("2001:db8:9::7");
        assertThat(info.path("noprefixroute").asBoolean()).as("%s", info).isTrue();
        assertThat(info.path("preferred_life_time").asLong()).isZero();
        assertThat(info.path("valid_life_time").asLong()).isBetween(3500L, 3600L);
    }

    private JsonNode addressInfo6(String address) {
        for (JsonNode info : fixture.ipJson(fixture.a(), "-6", "addr", "show", "dev", IF_A).get(0).path("addr_info")) {
            if (info.path("local").asText().equals(address)) {
                return info;
            }
        }
        throw new AssertionError(address + " is not on " + IF_A);
    }

    private JsonNode addressInfo(String address) {
        for (JsonNode info : fixture.ipJson(fixture.a(), "addr", "show", "dev", IF_A).get(0).path("addr_info")) {
            if (info.path("local").asText().equals(address)) {
                return info;
            }
        }
        throw new AssertionError(address + " is not on " + IF_A);
    }

    /** "name: a/p a/p" per interface, addresses in ip's notation. */
    private List<String> ipAddr() {
        List<String> lines = new ArrayList<>();
        for (JsonNode link : fixture.ipJson(fixture.a(), "addr")) {
            StringBuilder line = new StringBuilder(link.path("ifname").asText()).append(":");
            for (JsonNode info : link.path("addr_info")) {
                line.append(' ').append(info.path("local").asText()).append('/').append(info.path("prefixlen").asInt());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static List<String> asText(List<NetInterface> interfaces) {
        List<String> lines = new ArrayList<>();
        for (NetInterface nic : interfaces) {
            StringBuilder line = new StringBuilder(nic.name()).append(":");
            for (InterfaceAddress a : nic.addresses()) {
                line.append(' ').append(compact(a));
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static String compact(InterfaceAddress address) {
        return IpText.of(address);
    }
}
