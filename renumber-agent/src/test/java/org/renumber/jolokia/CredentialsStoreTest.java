package org.renumber.jolokia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.security.Credentials;
import org.renumber.security.CredentialsStore;

class CredentialsStoreTest {

    @TempDir
    Path state;

    @Test
    void credentialsSetInTheJolokiaPropertiesAreUsedAndNothingIsWritten() throws Exception {
        Credentials credentials = CredentialsStore.load(Map.of("user", "ops", "password", "configured"), state);
        assertEquals(new Credentials("ops", "configured"), credentials);
        assertThat(state.resolve(CredentialsStore.FILE_NAME)).doesNotExist();
    }

    @Test
    void aUserWithoutPasswordIsRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> CredentialsStore.load(Map.of("user", "ops"), state));
        assertThat(error.getMessage()).contains("'user' but not 'password'");
    }

    @Test
    void aPasswordIsGeneratedOnceStoredOwnerOnlyAndReused() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Credentials first;
        try {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            first = CredentialsStore.load(Map.of(), state);
        } finally {
            System.setErr(original);
        }
        Path file = state.resolve(CredentialsStore.FILE_NAME);
        assertThat(first.user()).isEqualTo("renumber");
        assertThat(first.password()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("password=" + first.password());
        assertThat(log.toString(StandardCharsets.UTF_8)).contains(file.toString()).doesNotContain(first.password());

        assertEquals(first, CredentialsStore.load(Map.of(), state));
        assertThat(CredentialsStore.load(Map.of(), state.resolve("other")).password())
                .isNotEqualTo(first.password());
    }

    @Test
    void aStoredFileReadableByOthersIsRestricted() throws Exception {
        Path file = state.resolve(CredentialsStore.FILE_NAME);
        Files.writeString(file, "user=renumber\npassword=kept\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(new Credentials("renumber", "kept"), CredentialsStore.load(Map.of(), state));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void toStringNeverShowsThePassword() {
        assertThat(new Credentials("renumber", "hunter2").toString()).contains("renumber").doesNotContain("hunter2");
    }

    @Test
    void matchingNeedsBothUserAndPassword() {
        Credentials credentials = new Credentials("renumber", "hunter2");
        assertThat(credentials.matches("renumber", "hunter2")).isTrue();
        assertThat(credentials.matches("renumber", "hunter3")).isFalse();
        assertThat(credentials.matches("other", "hunter2")).isFalse();
        assertThat(credentials.matches(null, null)).isFalse();
    }
}
