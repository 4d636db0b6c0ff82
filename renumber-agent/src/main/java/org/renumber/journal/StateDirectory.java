package org.renumber.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The agent's state directory holds the journal and the generated password: owner access only. */
public final class StateDirectory {

    /** Default location, as documented in the README. */
    public static final Path DEFAULT = Path.of("/var/lib/renumber");

    private StateDirectory() {
    }

    public static Path ensure(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
        return dir;
    }
}
