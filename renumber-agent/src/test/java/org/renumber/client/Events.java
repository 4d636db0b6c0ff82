package org.renumber.client;

import java.time.Instant;
import java.util.Map;

/** Events as the client would deliver them, for testing reactions without an agent. */
final class Events {

    private Events() {
    }

    static AddressChangeEvent of(AddressChangeEvent.Type type, String oldAddress, String newAddress) {
        return of(type, oldAddress, newAddress, Instant.now());
    }

    static AddressChangeEvent of(AddressChangeEvent.Type type, String oldAddress, String newAddress,
                                 Instant startedAt) {
        return new AddressChangeEvent(type, type.wireName(), "chg-test", "lo", oldAddress, newAddress, "DRAINING", 0,
                "", "", startedAt, startedAt.plusSeconds(60), type.wireName(), Map.of());
    }
}
