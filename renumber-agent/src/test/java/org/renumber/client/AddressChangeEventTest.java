package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.renumber.api.NotificationTypes;

class AddressChangeEventTest {

    @Test
    void everyNotificationTheAgentSendsHasItsOwnTypeInTheClient() {
        // The agent sends every change notification type of the api (MBeanInfoTest); the client knows each.
        for (String type : NotificationTypes.CHANGE) {
            assertThat(AddressChangeEvent.Type.of(type)).as(type).isNotEqualTo(AddressChangeEvent.Type.OTHER);
            assertEquals(type, AddressChangeEvent.Type.of(type).wireName());
        }
        assertThat(Arrays.stream(AddressChangeEvent.Type.values()).filter(AddressChangeEvent.Type::isFinal))
                .containsExactlyInAnyOrder(AddressChangeEvent.Type.COMPLETED, AddressChangeEvent.Type.TIMEOUT,
                        AddressChangeEvent.Type.FAILED, AddressChangeEvent.Type.CANCELLED);
        assertEquals(AddressChangeEvent.Type.OTHER, AddressChangeEvent.Type.of("renumber.something.new"));
    }

    @Test
    void addressesAreReadAsLiteralsWithoutAnyNameLookup() throws Exception {
        assertEquals(InetAddress.getByName("10.9.0.1"), AddressChangeEvent.address("10.9.0.1/24"));
        assertEquals(InetAddress.getByName("2001:db8::1"), AddressChangeEvent.address("2001:db8::1/64"));
        assertThrows(IllegalArgumentException.class, () -> AddressChangeEvent.address("example.com/24"));
    }

    @Test
    void scopesCompareAsAddressesWhenBothAreAddresses() {
        assertThat(Subscribing.sameScope("2001:db8:0:0::1", "2001:db8::1")).isTrue();
        assertThat(Subscribing.sameScope("v0", "v0")).isTrue();
        assertThat(Subscribing.sameScope("10.9.0.1", "10.9.0.2")).isFalse();
        assertThat(Subscribing.sameScope("", "v0")).isFalse();
    }
}
