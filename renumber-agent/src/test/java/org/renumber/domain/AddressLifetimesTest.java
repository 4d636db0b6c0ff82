package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Deprecating an IPv6 address and giving its lifetimes back (RFC 4862 5.5.4, docs/architecture.md). */
class AddressLifetimesTest {

    private static final long FOREVER = AddressLifetimes.FOREVER;

    @Test
    void aDeprecatedAddressHasPreferredLifetimeZeroAndKeepsItsValidOne() {
        AddressLifetimes deprecated = new AddressLifetimes(1800, 3600).deprecated();
        assertThat(deprecated).isEqualTo(new AddressLifetimes(0, 3600));
        assertThat(deprecated.isDeprecated()).isTrue();
        assertThat(AddressLifetimes.PERMANENT.isDeprecated()).isFalse();
        assertThat(AddressLifetimes.PERMANENT.deprecated()).isEqualTo(new AddressLifetimes(0, FOREVER));
    }

    @Test
    void foreverStaysForever() {
        assertThat(AddressLifetimes.PERMANENT.restoredFrom(new AddressLifetimes(0, FOREVER)))
                .isEqualTo(AddressLifetimes.PERMANENT);
    }

    @Test
    void aFinitePreferredLifetimeComesBackShortenedByTheTimeThatPassed() {
        // Deprecated at preferred 1800 / valid 3600; 600 s later the kernel shows valid 3000.
        assertThat(new AddressLifetimes(1800, 3600).restoredFrom(new AddressLifetimes(0, 3000)))
                .isEqualTo(new AddressLifetimes(1200, 3000));
        // Longer than the preferred lifetime had left: it comes back deprecated.
        assertThat(new AddressLifetimes(300, 3600).restoredFrom(new AddressLifetimes(0, 3000)))
                .isEqualTo(new AddressLifetimes(0, 3000));
    }

    @Test
    void undoingADeprecationNeverExtendsTheValidLifetime() {
        assertThat(new AddressLifetimes(FOREVER, FOREVER).restoredFrom(new AddressLifetimes(0, 600)))
                .isEqualTo(new AddressLifetimes(600, 600));
    }

    @Test
    void lifetimesOutsideTheKernelsRangeAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> new AddressLifetimes(10, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("valid lifetime -1 s is out of range 0-" + FOREVER);
        assertThatThrownBy(() -> new AddressLifetimes(20, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preferred lifetime 20 s is out of range 0-10 (the valid lifetime)");
    }

    @Test
    void theyReadAsIpAddrPrintsThem() {
        assertThat(new AddressLifetimes(0, FOREVER)).hasToString("preferred_lft 0sec valid_lft forever");
    }
}
