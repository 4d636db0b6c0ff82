package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SubscriptionTest {

    @Test
    void anEmptyScopeCoversEveryChangeAnAddressOrInterfaceOnlyItsOwn() {
        assertThat(new Subscription("app1", "", "").covers("v0", IpLiterals.parse("10.9.0.1"))).isTrue();
        Subscription byAddress = new Subscription("app1", "", "10.9.0.1");
        assertThat(byAddress.covers("v0", IpLiterals.parse("10.9.0.1"))).isTrue();
        assertThat(byAddress.covers("v0", IpLiterals.parse("10.9.0.2"))).isFalse();
        Subscription byInterface = new Subscription("app1", "", "v1");
        assertThat(byInterface.covers("v1", IpLiterals.parse("10.9.0.1"))).isTrue();
        assertThat(byInterface.covers("v0", IpLiterals.parse("10.9.0.1"))).isFalse();
    }

    @Test
    void anIpv6ScopeIsKeptInOneSpellingSoItMatchesTheAddressHowEverItWasWritten() {
        Subscription subscription = new Subscription("app1", null, " 2001:DB8:0::1 ");
        assertThat(subscription.covers("v0", IpLiterals.parse("2001:db8::1"))).isTrue();
        assertThat(subscription.group()).isEmpty();
    }

    @Test
    void badNamesAndScopesAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> new Subscription("-app", "", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("subscriber id '-app' is invalid");
        assertThatThrownBy(() -> new Subscription("app", "we b", "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("group 'we b' is invalid");
        assertThatThrownBy(() -> new Subscription("app", "", "an-interface-name-too-long"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("scope 'an-interface-name-too-long' is neither empty");
        assertThatThrownBy(() -> new Subscription("app", "", "", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("pid -1 is invalid");
    }

    @Test
    void recordingAProcessKeepsTheRest() {
        Subscription subscription = new Subscription("app1", "web", "v0").withPid(4242);
        assertThat(subscription).isEqualTo(new Subscription("app1", "web", "v0", 4242));
        assertThat(new Subscription("app1", "web", "v0").pid()).as("unknown until recorded").isZero();
    }
}
