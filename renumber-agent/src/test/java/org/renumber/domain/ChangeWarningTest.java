package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeWarningTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void aWarningEndsItsSecondsFromNowWithNobodyReady() {
        ChangeWarning warning = ChangeWarning.starting(NOW, 45);
        assertThat(warning.warningEnd()).isEqualTo(NOW.plusSeconds(45));
        assertThat(warning.warningSeconds()).isEqualTo(45);
        assertThat(warning.acknowledged()).isEmpty();
        assertThat(warning.startReason()).isNull();
    }

    @Test
    void acknowledgementsAreKeptOnceInTheOrderTheyCame() {
        ChangeWarning warning = ChangeWarning.starting(NOW, 45).acknowledgedBy("b").acknowledgedBy("a")
                .acknowledgedBy("b");
        assertThat(warning.acknowledged()).containsExactly("b", "a");
    }

    @Test
    void everyoneIsReadyWhenEachTargetHasAcknowledged() {
        ChangeWarning warning = ChangeWarning.starting(NOW, 45).acknowledgedBy("a");
        assertThat(warning.allReady(List.of())).as("no targets to wait for").isTrue();
        assertThat(warning.allReady(List.of("a"))).isTrue();
        assertThat(warning.allReady(List.of("a", "b"))).isFalse();
        assertThat(warning.acknowledgedBy("b").allReady(List.of("a", "b"))).isTrue();
    }

    @Test
    void theReasonTheWarningEndedIsKeptWithTheAcknowledgements() {
        ChangeWarning ended = ChangeWarning.starting(NOW, 45).acknowledgedBy("a")
                .endedBecause(ChangeWarning.StartReason.WARNING_TIME_PASSED);
        assertThat(ended.startReason()).isEqualTo(ChangeWarning.StartReason.WARNING_TIME_PASSED);
        assertThat(ended.acknowledged()).containsExactly("a");
    }
}
