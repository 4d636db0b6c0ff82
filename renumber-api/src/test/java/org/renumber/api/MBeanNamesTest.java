package org.renumber.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MBeanNamesTest {

    @Test
    void theNamesScriptsDependOnAreSpelledOutExactly() {
        assertThat(MBeanNames.SERVICE.toString()).isEqualTo("renumber:type=AddressChangeService");
        assertThat(MBeanNames.change("chg-1").toString()).isEqualTo("renumber:type=AddressChange,id=chg-1");
        assertThat(MBeanNames.subscription("billing").toString()).isEqualTo("renumber:type=Subscription,id=billing");
    }

    @Test
    void anIdWithCharactersAnObjectNameReservesIsQuotedRatherThanRefused() {
        assertThat(MBeanNames.subscription("a,b").getKeyProperty("id")).isEqualTo("\"a,b\"");
    }
}
