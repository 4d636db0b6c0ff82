package org.renumber.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressRule;
import org.renumber.domain.AddressState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.NetInterface;
import org.renumber.domain.NetworkException;
import org.renumber.domain.SourceRoute;
import org.renumber.domain.port.NetworkControl;

/**
 * The behaviour of the {@link NetworkControl} port, one suite for every implementation: the in-memory kernel the
 * workflow's unit tests run on ({@link InMemoryNetwork}) and the netlink adapter in a throw-away namespace, so the
 * fake cannot drift from the kernel (docs/architecture.md, "Tests" and "Routes"). A subclass supplies the
 * implementation with interface {@value #IF} carrying {@code 10.9.0.1/24} and {@code 2001:db8:9::1/64} (usable,
 * no DAD), IPv4 {@code promote_secondaries} off, and the few ways to arrange more that the kernel needs a tool for.
 */
public abstract class NetworkControlContract {

    protected static final String IF = "v0";
    protected static final InterfaceAddress OLD = InterfaceAddress.parse("10.9.0.1/24");
    protected static final InterfaceAddress NEW = InterfaceAddress.parse("10.9.0.3/24");
    protected static final InterfaceAddress OLD6 = InterfaceAddress.parse("2001:db8:9::1/64");
    protected static final InterfaceAddress NEW6 = InterfaceAddress.parse("2001:db8:9::5/64");
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The implementation under test, arranged as the class comment says. */
    protected abstract NetworkControl control();

    /** A second interface (up) carrying {@code address}, e.g. on the same subnet as {@value #IF}. */
    protected abstract void addInterface(String name, String address);

    /** {@code ip route add DESTINATION via GATEWAY dev INTERFACE src SOURCE} in the main table. */
    protected abstract void addRoute(String destination, String gateway, String interfaceName, String source);

    /** {@code ip rule add from FROM REST}, REST e.g. {@code lookup 100 priority 1000}. */
    protected abstract void addRule(String from, String rest);

    // ------------------------------------------------------------------ addresses

    @Test
    void anAddedAddressIsListedAndARemovedOneGoes() {
        control().addAddress(IF, NEW);
        control().addAddress(IF, NEW6);
        assertThat(addresses(IF)).contains(OLD, NEW, OLD6, NEW6);

        control().removeAddress(IF, NEW);
        control().removeAddress(IF, NEW6);
        assertThat(addresses(IF)).contains(OLD, OLD6).doesNotContain(NEW, NEW6);
    }

    @Test
    void addingAnAddressThatIsThereFailsWithEexist() {
        assertThatThrownBy(() -> control().addAddress(IF, OLD)).isInstanceOfSatisfying(NetworkException.class,
                e -> assertThat(e.errno()).isEqualTo(17));
        assertThatThrownBy(() -> control().addAddress(IF, OLD6)).isInstanceOfSatisfying(NetworkException.class,
                e -> assertThat(e.errno()).isEqualTo(17));
        assertThat(addresses(IF)).containsOnlyOnce(OLD, OLD6);
    }

    @Test
    void anIpv6AddressIsOneWhateverItsPrefixButAnIpv4OneIsKeyedByItsPrefixToo() {
        assertThatThrownBy(() -> control().addAddress(IF, InterfaceAddress.parse("2001:db8:9::1/80")))
                .isInstanceOfSatisfying(NetworkException.class, e -> assertThat(e.errno()).isEqualTo(17));

        InterfaceAddress wide = InterfaceAddress.parse("10.9.0.1/16");
        control().addAddress(IF, wide);
        assertThat(addresses(IF)).contains(OLD, wide);

        control().removeAddress(IF, wide);
        assertThat(addresses(IF)).contains(OLD).doesNotContain(wide);
    }

    @Test
    void removingAnAddressThatIsNotThereFailsWithEaddrnotavail() {
        assertThatThrownBy(() -> control().removeAddress(IF, InterfaceAddress.parse("10.9.0.99/24")))
                .isInstanceOfSatisfying(NetworkException.class, e -> assertThat(e.errno()).isEqualTo(99));
        assertThatThrownBy(() -> control().removeAddress(IF, InterfaceAddress.parse("10.9.0.1/16")))
                .isInstanceOfSatisfying(NetworkException.class, e -> assertThat(e.errno()).isEqualTo(99));
        assertThat(addresses(IF)).contains(OLD);
    }

    @Test
    void anUnknownInterfaceIsTheCallersMistake() {
        assertThatThrownBy(() -> control().addAddress("nope0", NEW)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> control().promoteSecondaries("nope0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> control().awaitUsable("nope0", NEW, WAIT)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIpv4AddressIsUsableAtOnceAndAMissingOneIsAbsent() throws Exception {
        control().addAddress(IF, NEW);
        assertThat(control().awaitUsable(IF, NEW, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(AddressState.USABLE);
        assertThat(control().awaitUsable(IF, InterfaceAddress.parse("10.9.0.99/24"), WAIT)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(AddressState.ABSENT);
    }

    @Test
    void deletingThePrimaryDeletesItsSubnetsSecondariesUnlessPromoteSecondariesIsOn() {
        assertThat(control().promoteSecondaries(IF)).isFalse();
        control().addAddress(IF, NEW);
        control().removeAddress(IF, OLD);
        assertThat(addresses(IF)).doesNotContain(OLD, NEW).contains(OLD6);

        control().addAddress(IF, OLD);
        control().addAddress(IF, NEW);
        control().setPromoteSecondaries(IF, true);
        assertThat(control().promoteSecondaries(IF)).isTrue();
        control().removeAddress(IF, OLD);
        assertThat(addresses(IF)).contains(NEW).doesNotContain(OLD);
    }

    @Test
    void lifetimesAreSetAndReadBackAndAMissingAddressHasNone() {
        assertThat(control().lifetimes(IF, OLD6)).isEqualTo(AddressLifetimes.PERMANENT);
        AddressLifetimes deprecated = new AddressLifetimes(0, AddressLifetimes.FOREVER);
        control().setLifetimes(IF, OLD6, deprecated);
        assertThat(control().lifetimes(IF, OLD6)).isEqualTo(deprecated);
        control().setLifetimes(IF, OLD6, AddressLifetimes.PERMANENT);
        assertThat(control().lifetimes(IF, OLD6)).isEqualTo(AddressLifetimes.PERMANENT);

        assertThat(control().lifetimes(IF, NEW6)).isNull();
        assertThatThrownBy(() -> control().setLifetimes(IF, NEW6, deprecated))
                .isInstanceOfSatisfying(NetworkException.class, e -> assertThat(e.errno()).isEqualTo(99));
        assertThat(addresses(IF)).doesNotContain(NEW6);
    }

    // ------------------------------------------------------------------ the connected route

    @Test
    void theConnectedRouteIsSteeredToTheNewSourceAndSteeringAgainIsDone() {
        assertThat(control().connectedRouteSource(IF, OLD)).isEqualTo(OLD.address());
        control().addAddress(IF, NEW);

        control().setConnectedRouteSource(IF, OLD, NEW.address());
        assertThat(control().connectedRouteSource(IF, OLD)).isEqualTo(NEW.address());
        control().setConnectedRouteSource(IF, OLD, NEW.address());
        assertThat(control().connectedRouteSource(IF, OLD)).isEqualTo(NEW.address());

        control().setConnectedRouteSource(IF, OLD, OLD.address());
        assertThat(control().connectedRouteSource(IF, OLD)).isEqualTo(OLD.address());
    }

    @Test
    void anIpv6ConnectedRouteHasNoSourceUntilOneIsSet() throws Exception {
        assertThat(control().connectedRouteSource(IF, OLD6)).isNull();
        control().addAddress(IF, NEW6);
        // A tentative address is no source yet (the kernel refuses it): wait for duplicate address detection.
        assertThat(control().awaitUsable(IF, NEW6, WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(AddressState.USABLE);
        control().setConnectedRouteSource(IF, OLD6, NEW6.address());
        assertThat(control().connectedRouteSource(IF, OLD6)).isEqualTo(NEW6.address());
    }

    @Test
    void deletingTheConnectedRouteTwiceIsDone() {
        control().deleteConnectedRoute(IF, OLD);
        assertThat(control().connectedRouteSource(IF, OLD)).isNull();
        control().deleteConnectedRoute(IF, OLD);
        assertThat(control().connectedRouteSource(IF, OLD)).isNull();
    }

    @Test
    void withTwoInterfacesOnOneSubnetEachConnectedRouteIsItsOwn() {
        addInterface("w1", "10.9.0.100/24");
        control().addAddress(IF, NEW);

        control().setConnectedRouteSource(IF, OLD, NEW.address());
        assertThat(control().connectedRouteSource(IF, OLD)).isEqualTo(NEW.address());
        assertThat(control().connectedRouteSource("w1", OLD)).isEqualTo(IpLiterals.parse("10.9.0.100"));

        control().deleteConnectedRoute(IF, OLD);
        assertThat(control().connectedRouteSource(IF, OLD)).isNull();
        assertThat(control().connectedRouteSource("w1", OLD)).isEqualTo(IpLiterals.parse("10.9.0.100"));
    }

    // ------------------------------------------------------------------ the local route (table local)

    @Test
    void aSecondarysLocalRoutePrefersThePrimaryUntilSteeredAndSteeringAgainIsDone() {
        InterfaceAddress other = InterfaceAddress.parse("10.8.0.1/24");
        control().addAddress(IF, NEW);
        control().addAddress(IF, other);
        assertThat(control().localRouteSource(IF, OLD.address())).isEqualTo(OLD.address());
        assertThat(control().localRouteSource(IF, NEW.address())).isEqualTo(OLD.address());
        assertThat(control().localRouteSource(IF, other.address())).isEqualTo(other.address());

        control().setLocalRouteSource(IF, NEW.address(), NEW.address());
        control().setLocalRouteSource(IF, NEW.address(), NEW.address());
        assertThat(control().localRouteSource(IF, NEW.address())).isEqualTo(NEW.address());
        assertThat(control().localRouteSource(IF, OLD.address())).isEqualTo(OLD.address());

        control().setLocalRouteSource(IF, NEW.address(), OLD.address());
        assertThat(control().localRouteSource(IF, NEW.address())).isEqualTo(OLD.address());
    }

    @Test
    void aLocalRouteIsNeverMadeNorAnotherInterfacesTouched() {
        addInterface("w1", "10.9.0.100/24");
        control().addAddress(IF, NEW);

        control().setLocalRouteSource("w1", NEW.address(), NEW.address());
        control().setLocalRouteSource(IF, IpLiterals.parse("10.9.0.99"), NEW.address());
        assertThat(control().localRouteSource("w1", NEW.address())).isNull();
        assertThat(control().localRouteSource(IF, IpLiterals.parse("10.9.0.99"))).isNull();
        assertThat(control().localRouteSource(IF, NEW.address())).isEqualTo(OLD.address());
        assertThat(control().localRouteSource("w1", IpLiterals.parse("10.9.0.100")))
                .isEqualTo(IpLiterals.parse("10.9.0.100"));
    }

    @Test
    void aSteeredLocalRouteOutlivesItsAddressUntilDeleted() {
        control().addAddress(IF, NEW);
        control().setLocalRouteSource(IF, NEW.address(), NEW.address());
        control().removeAddress(IF, NEW);
        assertThat(control().localRouteSource(IF, NEW.address())).isEqualTo(NEW.address());

        control().deleteLocalRoute(IF, NEW.address(), OLD.address());
        assertThat(control().localRouteSource(IF, NEW.address())).isEqualTo(NEW.address());
        control().deleteLocalRoute(IF, NEW.address(), NEW.address());
        control().deleteLocalRoute(IF, NEW.address(), NEW.address());
        assertThat(control().localRouteSource(IF, NEW.address())).isNull();
    }

    @Test
    void aPromotedSecondarysLocalRoutePrefersItself() {
        control().addAddress(IF, NEW);
        control().setLocalRouteSource(IF, NEW.address(), NEW.address());
        control().setPromoteSecondaries(IF, true);
        control().removeAddress(IF, OLD);
        assertThat(control().localRouteSource(IF, NEW.address())).isEqualTo(NEW.address());
        assertThat(control().localRouteSource(IF, OLD.address())).isNull();

        InterfaceAddress third = InterfaceAddress.parse("10.9.0.4/24");
        control().addAddress(IF, third);
        control().removeAddress(IF, NEW);
        assertThat(control().localRouteSource(IF, third.address())).isEqualTo(third.address());
        assertThat(control().localRouteSource(IF, NEW.address())).isNull();
    }

    /** The kernel adds the promoted primary's route beside a steered one; setting the source again keeps one. */
    @Test
    void whenAnotherSecondaryIsPromotedTheKernelsRouteJoinsTheSteeredOneUntilTheSourceIsSetAgain() {
        InterfaceAddress earlier = InterfaceAddress.parse("10.9.0.2/24");
        control().addAddress(IF, earlier);
        control().addAddress(IF, NEW);
        control().setLocalRouteSource(IF, NEW.address(), NEW.address());
        control().setPromoteSecondaries(IF, true);
        control().removeAddress(IF, OLD);
        assertThat(control().localRouteSource(IF, NEW.address())).isEqualTo(NEW.address());
        control().deleteLocalRoute(IF, NEW.address(), NEW.address());
        assertThat(control().localRouteSource(IF, NEW.address())).isEqualTo(earlier.address());

        control().setLocalRouteSource(IF, NEW.address(), NEW.address());
        control().setLocalRouteSource(IF, NEW.address(), earlier.address());
        assertThat(control().localRouteSource(IF, NEW.address())).isEqualTo(earlier.address());
        control().deleteLocalRoute(IF, NEW.address(), earlier.address());
        assertThat(control().localRouteSource(IF, NEW.address())).isNull();
    }

    // ------------------------------------------------------------------ routes with a source

    @Test
    void aRouteWithTheOldSourceMovesToTheNewOneAndMovingItAgainIsDone() {
        addRoute("10.20.0.0/16", "10.9.0.254", IF, "10.9.0.1");
        control().addAddress(IF, NEW);
        List<SourceRoute> routes = control().routesWithSource(OLD.address());
        assertThat(routes).hasSize(1);

        control().setRouteSource(routes.get(0), NEW.address());
        assertThat(control().routesWithSource(OLD.address())).isEmpty();
        assertThat(control().routesWithSource(NEW.address())).hasSize(1);

        control().setRouteSource(routes.get(0), NEW.address());
        assertThat(control().routesWithSource(NEW.address())).hasSize(1);
        assertThat(control().routesWithSource(OLD.address())).isEmpty();
    }

    @Test
    void theKernelsOwnRoutesAreNotRoutesWithASource() {
        assertThat(control().routesWithSource(OLD.address())).isEmpty();
        assertThat(control().routesWithSource(OLD6.address())).isEmpty();
    }

    @Test
    void aRouteCannotPreferAnAddressTheNodeDoesNotHave() {
        addRoute("10.20.0.0/16", "10.9.0.254", IF, "10.9.0.1");
        SourceRoute route = control().routesWithSource(OLD.address()).get(0);

        assertThatThrownBy(() -> control().setRouteSource(route, NEW.address()))
                .isInstanceOfSatisfying(NetworkException.class, e -> assertThat(e.errno()).isEqualTo(22));
        assertThat(control().routesWithSource(OLD.address())).hasSize(1);
    }

    @Test
    void deletingAnIpv4AddressDeletesTheRoutesItIsTheSourceOf() {
        control().addAddress(IF, NEW);
        addRoute("10.20.0.0/16", "10.9.0.254", IF, "10.9.0.3");
        assertThat(control().routesWithSource(NEW.address())).hasSize(1);

        control().removeAddress(IF, NEW);
        assertThat(control().routesWithSource(NEW.address())).isEmpty();
    }

    // ------------------------------------------------------------------ policy rules

    @Test
    void aRuleIsCopiedToTheNewAddressAndDeletedFromTheOldAndRepeatingEitherIsDone() {
        addRule("10.9.0.1/32", "lookup 100 priority 1000");
        List<AddressRule> rules = control().rulesSelecting(OLD.address());
        assertThat(rules).hasSize(1);
        AddressRule rule = rules.get(0);
        assertThat(rule.singleAddress()).isTrue();
        assertThat(control().rulesSelecting(NEW.address())).isEmpty();

        control().addRuleSelecting(rule, NEW.address());
        control().addRuleSelecting(rule, NEW.address());
        assertThat(control().rulesSelecting(NEW.address())).hasSize(1)
                .allSatisfy(copy -> assertThat(copy.key()).isEqualTo(rule.key()));

        control().deleteRuleSelecting(rule, OLD.address());
        control().deleteRuleSelecting(rule, OLD.address());
        assertThat(control().rulesSelecting(OLD.address())).isEmpty();
        assertThat(control().rulesSelecting(NEW.address())).hasSize(1);
    }

    @Test
    void aRuleForAWiderPrefixSelectsTheAddressButIsNotItsOwn() {
        addRule("10.9.0.0/24", "lookup 100 priority 1001");
        assertThat(control().rulesSelecting(OLD.address())).singleElement()
                .satisfies(rule -> assertThat(rule.singleAddress()).isFalse());
        assertThat(control().rulesSelecting(IpLiterals.parse("10.8.0.1"))).isEmpty();
    }

    private List<InterfaceAddress> addresses(String interfaceName) {
        return control().interfaces().stream()
                .filter(nic -> nic.name().equals(interfaceName))
                .map(NetInterface::addresses)
                .findFirst()
                .orElseThrow();
    }
}
