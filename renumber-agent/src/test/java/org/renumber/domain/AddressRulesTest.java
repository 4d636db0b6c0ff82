package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AddressRulesTest {

    private static final NetInterface V0 = new NetInterface(2, "v0", List.of(InterfaceAddress.parse("10.9.0.1/24"),
            InterfaceAddress.parse("2001:db8::1/64"), InterfaceAddress.parse("fe80::1/64")));
    private static final NetInterface V1 = new NetInterface(3, "v1", List.of(InterfaceAddress.parse("10.8.0.1/24")));
    private static final InterfaceAddress OLD4 = InterfaceAddress.parse("10.9.0.1/24");
    private static final InterfaceAddress OLD6 = InterfaceAddress.parse("2001:db8::1/64");

    @Test
    void anInterfaceIsFoundByNameAndAnUnknownOneIsRefusedWithTheKnownNames() {
        assertThat(AddressRules.requireInterface(List.of(V0, V1), "v1")).isEqualTo(V1);
        assertThatThrownBy(() -> AddressRules.requireInterface(List.of(V0, V1), "eth9"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown interface 'eth9'; interfaces: [v0, v1]");
    }

    @Test
    void theOldAddressIsTheOneConfiguredWithOrWithoutItsPrefix() {
        assertThat(AddressRules.resolveOld(V0, "10.9.0.1")).isEqualTo(OLD4);
        assertThat(AddressRules.resolveOld(V0, "10.9.0.1/24")).isEqualTo(OLD4);
        assertThat(AddressRules.resolveOld(V0, "2001:db8:0::1")).isEqualTo(OLD6);
    }

    @Test
    void anOldAddressNotOnTheInterfaceOrWithAnotherPrefixIsRefused() {
        assertThatThrownBy(() -> AddressRules.resolveOld(V0, "10.9.0.2"))
                .hasMessage("old address 10.9.0.2 is not configured on v0; its addresses are "
                        + "[10.9.0.1/24, 2001:db8::1/64, fe80::1/64]");
        assertThatThrownBy(() -> AddressRules.resolveOld(V0, "10.9.0.1/16"))
                .hasMessage("old address 10.9.0.1/16 does not match 10.9.0.1/24 as configured on v0");
        assertThatThrownBy(() -> AddressRules.resolveOld(V0, "v0.example"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid IP address");
    }

    @Test
    void anIpv6LinkLocalOldAddressIsRefused() {
        assertThatThrownBy(() -> AddressRules.resolveOld(V0, "fe80::1"))
                .hasMessageStartingWith("old address fe80::1/64 is an IPv6 link-local address (fe80::/10)");
    }

    @Test
    void aNewAddressWithoutPrefixTakesTheOldOnesPrefix() {
        assertThat(AddressRules.parseNew("10.9.1.1", OLD4)).isEqualTo(InterfaceAddress.parse("10.9.1.1/24"));
        assertThat(AddressRules.parseNew("10.9.1.1/16", OLD4)).isEqualTo(InterfaceAddress.parse("10.9.1.1/16"));
        assertThat(AddressRules.parseNew("2001:db8:1::1", OLD6)).isEqualTo(InterfaceAddress.parse("2001:db8:1::1/64"));
    }

    @Test
    void aNewAddressOfAnotherFamilyOrTheOldAddressItselfIsRefused() {
        assertThatThrownBy(() -> AddressRules.parseNew("2001:db8::2/64", OLD4))
                .hasMessage("new address 2001:db8::2/64 is IPV6 but the old address 10.9.0.1/24 is IPV4; both must be "
                        + "of the same family");
        assertThatThrownBy(() -> AddressRules.parseNew("10.9.0.1/24", OLD4))
                .hasMessage("new address 10.9.0.1/24 is the old address; nothing to change");
    }

    @Test
    void wildcardLoopbackMulticastAndPrefixZeroAreRefused() {
        // IPv4's special ranges have messages of their own (below).
        for (String text : List.of("::/64", "::1/128", "ff02::1/64")) {
            InterfaceAddress old = OLD6;
            assertThatThrownBy(() -> AddressRules.parseNew(text, old)).as(text)
                    .hasMessage("new address " + text + " is a wildcard, loopback or multicast address");
        }
        assertThatThrownBy(() -> AddressRules.parseNew("10.9.1.1/0", OLD4))
                .hasMessage("new address 10.9.1.1/0 has prefix length 0; give the subnet's prefix");
    }

    @Test
    void theNetworkAndBroadcastAddressesOfAnIpv4SubnetAreRefusedExceptOnPointToPointPrefixes() {
        assertThatThrownBy(() -> AddressRules.parseNew("10.9.1.0/24", OLD4))
                .hasMessage("new address 10.9.1.0/24 is the network or broadcast address of its subnet");
        assertThatThrownBy(() -> AddressRules.parseNew("10.9.1.255/24", OLD4))
                .hasMessage("new address 10.9.1.255/24 is the network or broadcast address of its subnet");
        // RFC 3021: a /31 has no network or broadcast address; a /32 is a single host.
        assertThat(AddressRules.parseNew("10.9.1.0/31", OLD4).prefixLength()).isEqualTo(31);
        assertThat(AddressRules.parseNew("10.9.1.255/32", OLD4).prefixLength()).isEqualTo(32);
    }

    @Test
    void broadcastMeansEveryHostBitSet() {
        assertThat(AddressRules.isBroadcast(InterfaceAddress.parse("10.9.1.255/24"))).isTrue();
        assertThat(AddressRules.isBroadcast(InterfaceAddress.parse("10.9.1.127/25"))).isTrue();
        assertThat(AddressRules.isBroadcast(InterfaceAddress.parse("10.9.1.254/24"))).isFalse();
        assertThat(AddressRules.isBroadcast(InterfaceAddress.parse("10.9.1.128/25"))).isFalse();
    }

    @Test
    void onlyGlobalUnicastAndUniqueLocalIpv6AddressesAreAssignable() {
        assertThat(AddressRules.parseNew("fd00:1::5/64", OLD6).isIpv6()).isTrue();
        assertThatThrownBy(() -> AddressRules.parseNew("fe80::9/64", OLD6))
                .hasMessageStartingWith("new address fe80::9/64 is an IPv6 link-local address (fe80::/10);");
        assertThatThrownBy(() -> AddressRules.parseNew("100::1/64", OLD6))
                .hasMessage("new address 100::1/64 is neither a global unicast (2000::/3) nor a unique local "
                        + "(fc00::/7) IPv6 address");
    }

    @Test
    void theSubnetRouterAnycastAddressIsRefusedExceptOnA127() {
        assertThatThrownBy(() -> AddressRules.parseNew("2001:db8:1::/64", OLD6))
                .hasMessage("new address 2001:db8:1::/64 is the subnet-router anycast address of its prefix (all host "
                        + "bits zero); pick another address in 2001:db8:1::/64");
        assertThat(AddressRules.parseNew("2001:db8:1::/127", OLD6).prefixLength()).isEqualTo(127);
    }

    @Test
    void aNewAddressConfiguredAnywhereIsRefused() {
        InterfaceAddress fresh = InterfaceAddress.parse("10.8.0.1/24");
        assertThatThrownBy(() -> AddressRules.refuseNewInUse(List.of(V0, V1), "v0", fresh, "10.8.0.1", false))
                .hasMessage("new address 10.8.0.1 is already configured on v1; pick an unused address");
        assertThatThrownBy(() -> AddressRules.refuseNewInUse(List.of(V0, V1), "v0", fresh, "10.8.0.1", true))
                .as("a migration may reuse only an address on its own interface")
                .hasMessage("new address 10.8.0.1 is already configured on v1; pick an unused address");
    }

    @Test
    void aMigrationReusesANewAddressOnItsOwnInterfaceOnlyWithThePrefixItHasThere() {
        AddressRules.refuseNewInUse(List.of(V0, V1), "v1", InterfaceAddress.parse("10.8.0.1/24"), "10.8.0.1/24", true);
        assertThatThrownBy(() -> AddressRules.refuseNewInUse(List.of(V0, V1), "v1",
                InterfaceAddress.parse("10.8.0.1/16"), "10.8.0.1/16", true))
                .hasMessage("new address 10.8.0.1/16 is configured on v1 as 10.8.0.1/24; give it with that prefix");
        AddressRules.refuseNewInUse(List.of(V0, V1), "v0", InterfaceAddress.parse("10.9.9.9/24"), "10.9.9.9", false);
    }

    @Test
    void ipv4AddressesNoInterfaceCanBeGivenAreRefusedSayingWhatIsAccepted() {
        for (String[] bad : new String[][] {
                {"0.1.2.3/24", "in 0.0.0.0/8"},
                {"0.0.0.0/24", "in 0.0.0.0/8"},
                {"127.0.0.2/8", "a loopback address (127.0.0.0/8)"},
                {"169.254.7.7/16", "an IPv4 link-local address (169.254.0.0/16)"},
                {"169.254.0.1", "an IPv4 link-local address"},
                {"224.0.0.5/24", "an IPv4 multicast address (224.0.0.0/4)"},
                {"239.255.255.250/32", "an IPv4 multicast address"},
                {"240.0.0.1/24", "in the reserved range 240.0.0.0/4"},
                {"254.1.1.1/8", "in the reserved range 240.0.0.0/4"},
                {"255.255.255.255/32", "the limited broadcast 255.255.255.255"}}) {
            assertThatThrownBy(() -> AddressRules.parseNew(bad[0], OLD4)).as(bad[0])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("new address " + bad[0] + " is ")
                    .hasMessageContaining(bad[1])
                    .hasMessageEndingWith("give a unicast address outside 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, "
                            + "224.0.0.0/4 and 240.0.0.0/4");
        }
        assertThat(AddressRules.parseNew("169.253.255.1/16", OLD4)).isEqualTo(
                InterfaceAddress.parse("169.253.255.1/16"));
        assertThat(AddressRules.parseNew("223.255.255.1/24", OLD4)).isEqualTo(
                InterfaceAddress.parse("223.255.255.1/24"));
    }
}
