package org.renumber.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** What this package reads from {@code /proc}: the running processes and the sockets their descriptors hold. */
final class Procfs {

    static final Path PROC = Path.of("/proc");
    private static final Pattern PID = Pattern.compile("[0-9]+");

    private Procfs() {
    }

    /** A running process: its id and its {@code /proc/PID} directory. */
    record ProcessDirectory(long pid, Path path) {
    }

    /** The processes running now, in the order {@code /proc} lists them (by pid). */
    static List<ProcessDirectory> processes() {
        List<ProcessDirectory> processes = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (PID.matcher(name).matches()) {
                    processes.add(new ProcessDirectory(Long.parseLong(name), entry));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + PROC + ": " + e.getMessage(), e);
        }
        return processes;
    }

    /** The inodes among {@code wanted} that {@code pid} holds; empty for a process that has gone. */
    static Set<Long> socketsOf(long pid, Set<Long> wanted) {
        Set<Long> found = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("fd"))) {
            for (Path fd : fds) {
                long inode = socketInode(fd);
                if (inode != 0 && wanted.contains(inode)) {
                    found.add(inode);
                }
            }
        } catch (IOException e) {
            // exited meanwhile, or a kernel thread
        }
        return found;
    }

    /** The inode of a {@code socket:[12345]} descriptor link, 0 for any other kind of descriptor. */
    static long socketInode(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[") && target.endsWith("]")) {
                return Long.parseLong(target.substring(8, target.length() - 1));
            }
        } catch (IOException | NumberFormatException e) {
            // closed meanwhile
        }
        return 0;
    }
}
