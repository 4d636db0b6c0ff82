package org.renumber.hooks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hooks a directory holds now: its executable regular files, in name order (as {@code run-parts} and
 * NetworkManager order theirs), read afresh for every event so hooks can be added without a restart. Hooks run with
 * the agent's privileges (root), so a file that another user could have written is refused with a warning: one
 * writable by its group or by others, or owned by someone other than root or the agent's own user. Hidden files
 * and files that are not executable (a README, a hook switched off with {@code chmod -x}) are skipped quietly.
 */
final class HookDirectory {

    private static final Logger log = LoggerFactory.getLogger(HookDirectory.class);

    private final Path dir;
    private final int agentUid;

    HookDirectory(Path dir) {
        this.dir = dir;
        this.agentUid = uid(Path.of("/proc/self"));
    }

    Path path() {
        return dir;
    }

    /** The hooks to run, in name order; none when the directory is absent (or was not given). */
    List<Path> hooks() {
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> hooks = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(".") && Files.isRegularFile(entry) && Files.isExecutable(entry) && trusted(entry)) {
                    hooks.add(entry);
                }
            }
        } catch (IOException e) {
            log.warn("cannot list the hooks in {}: {}; no hook runs", dir, e.getMessage());
            return List.of();
        }
        hooks.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return hooks;
    }

    private boolean trusted(Path hook) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(hook);
            if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                    || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                log.warn("hook {} refused: it is writable by its group or by others, and hooks run as the agent's "
                        + "user; chmod go-w {}", hook, hook);
                return false;
            }
            int owner = uid(hook);
            if (owner != 0 && owner != agentUid) {
                log.warn("hook {} refused: it is owned by uid {}, not by root or the agent's user; chown root {}",
                        hook, owner, hook);
                return false;
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("hook {} refused: cannot read its owner and permissions: {}", hook, e.getMessage());
            return false;
        }
    }

    private static int uid(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the owner of " + path, e);
        }
    }
}
