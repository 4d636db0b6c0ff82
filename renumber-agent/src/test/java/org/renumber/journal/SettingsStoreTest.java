package org.renumber.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.domain.ServiceSettings;

class SettingsStoreTest {

    @TempDir
    Path dir;

    @Test
    void aFreshStateDirectoryHasBothSettingsOff() {
        ServiceSettingsFile store = new ServiceSettingsFile(dir);

        assertThat(store.current()).isEqualTo(ServiceSettings.DEFAULTS);
        assertThat(store.current().guardNewConnections()).isFalse();
        assertThat(store.current().forceCloseAtDeadline()).isFalse();
        assertThat(store.file()).doesNotExist();
    }

    @Test
    void settingsSurviveARestart() {
        new ServiceSettingsFile(dir).update(s -> s.withGuardNewConnections(true));
        new ServiceSettingsFile(dir).update(s -> s.withForceCloseAtDeadline(true));

        assertThat(new ServiceSettingsFile(dir).current()).isEqualTo(new ServiceSettings(true, true));
    }

    @Test
    void theFileIsReadableByOwnerOnlyAndNoTemporaryFileRemains() throws Exception {
        new ServiceSettingsFile(dir).save(new ServiceSettings(true, false));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("settings.json"))))
                .isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("settings.json");
        }
        assertThat(Files.readString(dir.resolve("settings.json")))
                .contains("\"guardNewConnections\" : true", "\"forceCloseAtDeadline\" : false");
    }

    @Test
    void aKeyMissingFromAnOlderFileTakesItsDefaultAndUnknownKeysAreIgnored() throws Exception {
        Files.writeString(dir.resolve("settings.json"), "{\"guardNewConnections\": true, \"fromTheFuture\": 7}");

        assertThat(new ServiceSettingsFile(dir).current()).isEqualTo(new ServiceSettings(true, false));
    }

    @Test
    void anUnreadableFileIsAnErrorNamingItNotASilentResetToTheDefaults() throws Exception {
        Files.writeString(dir.resolve("settings.json"), "{ \"guardNewConnections\": tru");

        assertThatThrownBy(() -> new ServiceSettingsFile(dir)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(dir.resolve("settings.json").toString())
                .hasMessageContaining("remove it to start with the defaults");
    }

    @Test
    void anUpdateThatChangesNothingDoesNotWrite() {
        ServiceSettingsFile store = new ServiceSettingsFile(dir);

        assertThat(store.update(s -> s.withGuardNewConnections(false))).isEqualTo(ServiceSettings.DEFAULTS);
        assertThat(store.file()).doesNotExist();
    }
}
