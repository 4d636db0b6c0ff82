package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Generated cases for the address and prefix rules (issue 13): what is refused is refused naming the argument. */
class AddressParsingProperties {

    private static final InterfaceAddress OLD4 = InterfaceAddress.parse("10.9.0.1/24");
    private static final InterfaceAddress OLD6 = InterfaceAddress.parse("2001:db8::1/64");

    @Property
    void anyTextIsEitherANewAddressOrRefusedNamingTheArgument(@ForAll String text) {
        try {
            InterfaceAddress fresh = AddressRules.parseNew(text, OLD4);
            assertThat(fresh.isIpv4()).isTrue();
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("new address ");
        }
    }

    @Property
    void addressTextIsEitherANewAddressOrRefusedNamingTheArgument(@ForAll("addressLike") String text) {
        for (InterfaceAddress old : new InterfaceAddress[] {OLD4, OLD6}) {
            try {
                AddressRules.parseNew(text, old);
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage()).as(text).startsWith("new address ");
            }
        }
    }

    @Property
    void ipv4AddressesNoInterfaceTakesAreRefusedWithWhatIsAccepted(@ForAll("unassignableIpv4") String address,
                                                                     @ForAll @IntRange(min = 1, max = 32) int prefix) {
        String text = address + "/" + prefix;
        assertThatThrownBy(() -> AddressRules.parseNew(text, OLD4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("new address " + text + " is ")
                .hasMessageEndingWith("and 240.0.0.0/4");
    }

    @Property
    void unicastIpv4HostAddressesAreAcceptedAsWritten(@ForAll("unicastIpv4") String address,
                                                       @ForAll @IntRange(min = 8, max = 30) int prefix) {
        InterfaceAddress fresh = new InterfaceAddress(IpLiterals.parse(address), prefix);
        Assume.that(!fresh.address().equals(fresh.network()) && !AddressRules.isBroadcast(fresh)
                && !address.equals("10.9.0.1"));
        assertThat(AddressRules.parseNew(address + "/" + prefix, OLD4)).hasToString(address + "/" + prefix);
    }

    @Property
    void aPrefixOutsideTheFamilysRangeIsRefusedNamingTheArgument(@ForAll int prefix) {
        Assume.that(prefix < 0 || prefix > 32);
        assertThatThrownBy(() -> AddressRules.parseNew("10.9.1.1/" + prefix, OLD4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("new address 10.9.1.1/" + prefix);
        Assume.that(prefix > 128 || prefix < 0);
        assertThatThrownBy(() -> AddressRules.parseNew("2001:db8:1::1/" + prefix, OLD6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("new address 2001:db8:1::1/");
    }

    @Provide
    Arbitrary<String> addressLike() {
        return Arbitraries.strings().withChars("0123456789abcdef.:/%x -").ofMaxLength(45);
    }

    @Provide
    Arbitrary<String> unassignableIpv4() {
        Arbitrary<Integer> octet = Arbitraries.integers().between(0, 255);
        Arbitrary<Integer> first = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.just(127),
                Arbitraries.integers().between(224, 255));
        Arbitrary<String> linkLocal = octet.tuple2().map(t -> "169.254." + t.get1() + "." + t.get2());
        Arbitrary<String> ranges = first.flatMap(f -> octet.tuple3().map(t -> f + "." + t.get1() + "." + t.get2()
                + "." + t.get3()));
        return Arbitraries.oneOf(linkLocal, ranges);
    }

    @Provide
    Arbitrary<String> unicastIpv4() {
        Arbitrary<Integer> octet = Arbitraries.integers().between(0, 255);
        return Arbitraries.integers().between(1, 223).filter(f -> f != 127).flatMap(f -> octet.tuple3()
                .filter(t -> !(f == 169 && t.get1() == 254))
                .map(t -> f + "." + t.get1() + "." + t.get2() + "." + t.get3()));
    }
}
