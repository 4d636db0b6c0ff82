package org.renumber.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent's state directory holds the journal and the generated password: owner access only. */
public final class StateDirectory {

    /** Default location, as documented in the README. */
    public static final Path DEFAULT = Path.of("/var/lib/renumber");

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Logger log = LoggerFactory.getLogger(StateDirectory.class);

    private StateDirectory() {
    }

    /**
     * Creates the state directory, mode 0700, unless it exists. An existing one is left as it is (it may be a
     * directory the operator chose and shares), with a warning when other users can look inside.
     */
    public static Path ensure(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
        } else if (!OWNER_ONLY.containsAll(Files.getPosixFilePermissions(dir))) {
            log.warn("the state directory {} is open to other users ({}); its files are 0600 and its own "
                    + "subdirectories 0700, but consider chmod 700", dir,
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        }
        return dir;
    }

    /**
     * Creates a directory of the agent's own inside the state directory (e.g. {@code changes}), mode 0700, and
     * restricts it to 0700 if an earlier version created it wider: it is the agent's, nobody else's.
     */
    public static Path ensurePrivate(Path dir) throws IOException {
        Files.createDirectories(dir);
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
        if (!permissions.equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
            log.info("{} restricted to its owner (was {})", dir, PosixFilePermissions.toString(permissions));
        }
        return dir;
    }
}
