package org.renumber.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.renumber.testing.MutableClock;

class LoginBackoffTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final LoginBackoff backoff = new LoginBackoff(clock);

    @Test
    void fiveFailuresAreFreeThenTheWaitDoublesUpToThirtySeconds() {
        for (int i = 1; i <= 5; i++) {
            assertThat(backoff.failed("10.0.0.1")).isZero();
        }
        assertThat(backoff.failed("10.0.0.1")).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.waitFor("10.0.0.1")).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.failed("10.0.0.1")).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.failed("10.0.0.1")).isEqualTo(Duration.ofSeconds(4));
        for (int i = 0; i < 20; i++) {
            backoff.failed("10.0.0.1");
        }
        assertThat(backoff.waitFor("10.0.0.1")).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.waitFor("10.0.0.2")).as("another client").isZero();
        clock.advance(Duration.ofSeconds(30));
        assertThat(backoff.waitFor("10.0.0.1")).isZero();
    }

    @Test
    void aSuccessOrFifteenQuietMinutesClearTheCount() {
        for (int i = 1; i <= 6; i++) {
            backoff.failed("c");
        }
        backoff.succeeded("c");
        assertThat(backoff.waitFor("c")).isZero();
        for (int i = 1; i <= 5; i++) {
            assertThat(backoff.failed("c")).isZero();
        }
        clock.advance(Duration.ofMinutes(16));
        assertThat(backoff.failed("c")).as("the earlier five are forgotten").isZero();
    }
}
