package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The operator settings of the service and of the interface monitor: each value checked where it is made. */
class SettingsTest {

    @Test
    void theServiceDefaultsLeaveChangesAsTheyWereWithoutTheseSettings() {
        assertThat(ServiceSettings.DEFAULTS.guardNewConnections()).isFalse();
        assertThat(ServiceSettings.DEFAULTS.forceCloseAtDeadline()).isFalse();
        assertThat(ServiceSettings.DEFAULTS.hookTimeoutSeconds()).isEqualTo(30);
    }

    @Test
    void aSettingsFileFromBeforeTheHookTimeoutReadsTheDefault() {
        assertThat(new ServiceSettings(true, false, 0).hookTimeoutSeconds())
                .isEqualTo(ServiceSettings.DEFAULT_HOOK_TIMEOUT_SECONDS);
    }

    @Test
    void eachServiceSettingChangesAloneAndABadHookTimeoutIsRefused() {
        ServiceSettings changed = ServiceSettings.DEFAULTS.withGuardNewConnections(true).withHookTimeoutSeconds(600);
        assertThat(changed).isEqualTo(new ServiceSettings(true, false, 600));
        assertThat(changed.withForceCloseAtDeadline(true).forceCloseAtDeadline()).isTrue();
        assertThatThrownBy(() -> ServiceSettings.DEFAULTS.withHookTimeoutSeconds(601))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hookTimeoutSeconds 601 is out of range: use 1 to 600 seconds");
    }

    @Test
    void theMonitorDefaultsWatchWithATenSecondWindow() {
        MonitorSettings defaults = MonitorSettings.DEFAULTS;
        assertThat(defaults.enabled()).isTrue();
        assertThat(defaults.window()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.settle()).isEqualTo(Duration.ofMillis(250));
        assertThat(defaults.autoRemoveAlias()).isFalse();
        assertThat(defaults.drainTimeoutSeconds()).isEqualTo(300);
    }

    @Test
    void theSettleTimeCountsInsideTheWindowSoItMayNotBeLonger() {
        MonitorSettings settings = MonitorSettings.DEFAULTS.withWindowMillis(1000).withSettleMillis(1000);
        assertThat(settings.settle()).isEqualTo(settings.window());
        assertThatThrownBy(() -> settings.withSettleMillis(1001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SettleMillis 1001 is longer than WindowMillis 1000");
        assertThatThrownBy(() -> settings.withWindowMillis(999)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SettleMillis 1000 is longer than WindowMillis 999");
    }

    @Test
    void monitorValuesOutOfRangeAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> MonitorSettings.DEFAULTS.withWindowMillis(99))
                .hasMessageStartingWith("WindowMillis 99 is out of range");
        assertThatThrownBy(() -> MonitorSettings.DEFAULTS.withSettleMillis(-1))
                .hasMessageStartingWith("SettleMillis -1 is out of range");
        assertThatThrownBy(() -> MonitorSettings.DEFAULTS.withDrainTimeoutSeconds(ChangeLimits.MAX_DRAIN_SECONDS + 1))
                .hasMessageStartingWith("DrainTimeoutSeconds " + (ChangeLimits.MAX_DRAIN_SECONDS + 1)
                        + " is out of range");
        assertThat(MonitorSettings.DEFAULTS.withEnabled(false).withAutoRemoveAlias(true))
                .isEqualTo(new MonitorSettings(false, 10_000, 250, true, 300));
    }
}
