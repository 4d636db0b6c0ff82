package org.renumber.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.domain.MonitorSettings;

class MonitorSettingsFileTest {

    @TempDir
    Path dir;

    @Test
    void noFileMeansNoSavedSettings() {
        assertThat(new MonitorSettingsFile(dir).load()).isEmpty();
    }

    @Test
    void settingsSurviveARoundTripThroughDiskReadableByTheOwnerOnly() throws Exception {
        MonitorSettings settings = new MonitorSettings(false, 2500, 400, true, 42);
        new MonitorSettingsFile(dir).save(settings);

        assertThat(new MonitorSettingsFile(dir).load()).contains(settings);
        Path file = dir.resolve(MonitorSettingsFile.FILE_NAME);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertThat(Files.readString(file)).contains("\"windowMillis\" : 2500").contains("\"settleMillis\" : 400");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(MonitorSettingsFile.FILE_NAME);
        }
    }

    @Test
    void aKeyMissingFromTheFileTakesItsDefault() throws Exception {
        Files.writeString(dir.resolve(MonitorSettingsFile.FILE_NAME), "{\"autoRemoveAlias\": true, \"future\": 1}");

        assertThat(new MonitorSettingsFile(dir).load())
                .contains(MonitorSettings.DEFAULTS.withAutoRemoveAlias(true));
    }

    @Test
    void aFileFromBeforeSettleMillisTakesTheDefaultCappedAtItsWindow() throws Exception {
        Path file = dir.resolve(MonitorSettingsFile.FILE_NAME);
        Files.writeString(file, "{\"enabled\": true, \"windowMillis\": 5000, \"autoRemoveAlias\": false, "
                + "\"drainTimeoutSeconds\": 60}");
        assertThat(new MonitorSettingsFile(dir).load()).contains(new MonitorSettings(true, 5000,
                MonitorSettings.DEFAULTS.settleMillis(), false, 60));

        // valid before SettleMillis existed; the default 250 would be longer than this window
        Files.writeString(file, "{\"windowMillis\": 150}");
        assertThat(new MonitorSettingsFile(dir).load()).contains(MonitorSettings.DEFAULTS.withSettleMillis(150)
                .withWindowMillis(150));
    }

    @Test
    void aSettleTimeOutOfRangeInTheFileIsAnErrorNamingTheFileAndTheValue() throws Exception {
        Files.writeString(dir.resolve(MonitorSettingsFile.FILE_NAME), "{\"windowMillis\": 1000, \"settleMillis\": 1001}");

        assertThatThrownBy(() -> new MonitorSettingsFile(dir).load()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(MonitorSettingsFile.FILE_NAME)
                .hasMessageContaining("SettleMillis 1001 is longer than WindowMillis 1000")
                .hasMessageContaining("fix or remove the file");
    }

    @Test
    void aValueOutOfRangeInTheFileIsAnErrorNamingTheFileAndTheValue() throws Exception {
        Files.writeString(dir.resolve(MonitorSettingsFile.FILE_NAME), "{\"windowMillis\": 7}");

        assertThatThrownBy(() -> new MonitorSettingsFile(dir).load()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(MonitorSettingsFile.FILE_NAME).hasMessageContaining("WindowMillis 7 is out of range")
                .hasMessageContaining("fix or remove the file");
    }

    @Test
    void anUnreadableFileIsAnErrorNotASilentReset() throws Exception {
        Files.writeString(dir.resolve(MonitorSettingsFile.FILE_NAME), "{not json");

        assertThatThrownBy(() -> new MonitorSettingsFile(dir).load()).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("fix or remove it");
    }
}
