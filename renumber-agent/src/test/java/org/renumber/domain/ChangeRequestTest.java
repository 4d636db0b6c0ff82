package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeRequestTest {

    private static final InterfaceAddress OLD = InterfaceAddress.parse("10.9.0.1/24");
    private static final InterfaceAddress NEW = InterfaceAddress.parse("10.9.1.1/24");
    private static final Instant ASKED = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void aRequestByDefaultIsAnOperatorsThatRemovesTheOldAddressWithoutTargetsOrWarning() {
        ChangeRequest request = ChangeRequest.builder().id("chg-1").renumber("v0", OLD, NEW).requestedAt(ASKED)
                .build();
        assertThat(request.kind()).isEqualTo(ChangeKind.REQUESTED);
        assertThat(request.removeOldAddress()).isTrue();
        assertThat(request.targets()).isEmpty();
        assertThat(request.subscriberIds()).isEmpty();
        assertThat(request.warning()).isNull();
        assertThat(request.interfaceName()).isEqualTo("v0");
        assertThat(request.oldAddress()).isEqualTo(OLD);
        assertThat(request.newAddress()).isEqualTo(NEW);
    }

    @Test
    void theBuilderSetsEveryComponent() {
        ChangeWarning warning = ChangeWarning.starting(ASKED, 20);
        ChangeRequest request = ChangeRequest.builder().id("chg-2").renumber("v1", OLD, NEW).targets("group:web")
                .subscriberIds(List.of("a", "b")).drainTimeoutSeconds(90).kind(ChangeKind.MIGRATION)
                .removeOldAddress(false).warning(warning).requestedAt(ASKED).build();
        assertThat(request).isEqualTo(new ChangeRequest("chg-2", "v1", OLD, NEW, "group:web", List.of("a", "b"), 90,
                ChangeKind.MIGRATION, false, warning, ASKED));
    }

    @Test
    void theSubscribersAreCopiedSoTheCallersListCannotChangeTheRequest() {
        List<String> ids = new ArrayList<>(List.of("a"));
        ChangeRequest request = ChangeRequest.builder().id("chg-3").renumber("v0", OLD, NEW).subscriberIds(ids)
                .requestedAt(ASKED).build();
        ids.add("b");
        assertThat(request.subscriberIds()).containsExactly("a");
        assertThatThrownBy(() -> request.subscriberIds().add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aMissingRequiredComponentIsNamed() {
        assertThatThrownBy(() -> ChangeRequest.builder().renumber("v0", OLD, NEW).requestedAt(ASKED).build())
                .isInstanceOf(NullPointerException.class).hasMessage("id");
        assertThatThrownBy(() -> ChangeRequest.builder().id("x").renumber(null, OLD, NEW).requestedAt(ASKED).build())
                .hasMessage("interfaceName");
        assertThatThrownBy(() -> ChangeRequest.builder().id("x").renumber("v0", null, NEW).requestedAt(ASKED).build())
                .hasMessage("oldAddress");
        assertThatThrownBy(() -> ChangeRequest.builder().id("x").renumber("v0", OLD, null).requestedAt(ASKED).build())
                .hasMessage("newAddress");
        assertThatThrownBy(() -> ChangeRequest.builder().id("x").renumber("v0", OLD, NEW).build())
                .hasMessage("requestedAt");
    }

    @Test
    void aJournalWithoutKindOrTargetsReadsAsARequestedChangeForEveryone() {
        ChangeRequest read = new ChangeRequest("chg-4", "v0", OLD, NEW, null, null, 30, null, true, null, ASKED);
        assertThat(read.kind()).isEqualTo(ChangeKind.REQUESTED);
        assertThat(read.targets()).isEmpty();
        assertThat(read.subscriberIds()).isEmpty();
    }
}
