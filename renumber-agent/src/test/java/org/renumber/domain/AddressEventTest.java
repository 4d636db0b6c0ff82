package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The events the monitor makes up when it catches up after missing some (docs/architecture.md). */
class AddressEventTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final ConfiguredAddress OLD = new ConfiguredAddress("v0", InterfaceAddress.parse("10.9.0.1/24"),
            "v0", false);
    private static final ConfiguredAddress NEW = new ConfiguredAddress("v0", InterfaceAddress.parse("10.9.1.1/24"),
            "v0", false);
    private static final ConfiguredAddress OLD_AS_ALIAS = new ConfiguredAddress("v0",
            InterfaceAddress.parse("10.9.0.1/24"), "v0:0", true);

    @Test
    void theDifferenceOfTwoViewsIsTheirRemovalsThenTheirAdditions() {
        List<AddressEvent> events = AddressEvent.difference(Map.of("old", OLD), Map.of("new", NEW), NOW);
        assertThat(events).containsExactly(AddressEvent.removed(OLD, NOW), AddressEvent.added(NEW, NOW));
    }

    @Test
    void anAddressThatCameBackAsAnAliasWasRemovedAndAddedAgain() {
        List<AddressEvent> events = AddressEvent.difference(Map.of("old", OLD), Map.of("old", OLD_AS_ALIAS), NOW);
        assertThat(events).extracting(AddressEvent::describe)
                .containsExactly("v0: 10.9.0.1/24 removed", "v0: 10.9.0.1/24 (v0:0, secondary) added");
    }

    @Test
    void twoEqualViewsMakeNoEvent() {
        assertThat(AddressEvent.difference(Map.of("old", OLD), Map.of("old", OLD), NOW)).isEmpty();
    }

    @Test
    void anEventWithoutALabelCarriesTheInterfaceName() {
        AddressEvent event = new AddressEvent(AddressEvent.Kind.ADDED, "v0", InterfaceAddress.parse("2001:db8::1/64"),
                null, false, NOW);
        assertThat(event.label()).isEqualTo("v0");
        assertThat(event.isAdded()).isTrue();
        assertThat(event.configured()).isEqualTo(new ConfiguredAddress("v0", InterfaceAddress.parse("2001:db8::1/64"),
                "v0", false));
    }
}
