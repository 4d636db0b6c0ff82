package org.renumber.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.renumber.domain.SocketHolder;
import org.renumber.domain.port.SocketOwners;

/**
 * {@link SocketOwners} through {@code /proc}: a process holds a socket when one of its {@code /proc/PID/fd} links
 * reads {@code socket:[INODE]}.
 *
 * <p>Cost. The kernel's socket table gives an inode, never a pid, and no file maps inodes back to processes: the
 * only way is to read descriptor links. {@link #heldBy} reads the descriptors of the given processes only (a
 * migration's targets). {@link #holders} has no candidates, so it walks {@code /proc/*}{@code /fd}, but it is only
 * ever asked about the sockets the tracker matched on one address, skips everything once each of them has an owner
 * (usually long before the end of the walk, since the processes are visited in pid order and the holders of an
 * address are few), and does not run at all when the address has no socket. Nothing is cached between queries: a
 * pid-to-socket map goes stale as fast as connections come and go, and a stale answer about who delays a change is
 * worse than a slower one. A socket shared by several processes (inherited across fork) is reported for the first
 * one found.
 */
public final class ProcfsSocketOwners implements SocketOwners {


    @Override
    public Set<Long> heldBy(Collection<Long> pids, Set<Long> inodes) {
        Set<Long> held = new HashSet<>();
        if (inodes.isEmpty()) {
            return held;
        }
        for (long pid : new LinkedHashSet<>(pids)) {
            held.addAll(Procfs.socketsOf(pid, inodes));
            if (held.size() == inodes.size()) {
                break;
            }
        }
        return held;
    }

    @Override
    public List<SocketHolder> holders(Set<Long> inodes) {
        List<SocketHolder> holders = new ArrayList<>();
        if (inodes.isEmpty()) {
            return holders;
        }
        Set<Long> missing = new HashSet<>(inodes);
        for (Procfs.ProcessDirectory process : Procfs.processes()) {
            Set<Long> found = Procfs.socketsOf(process.pid(), missing);
            if (!found.isEmpty()) {
                missing.removeAll(found);
                holders.add(new SocketHolder(process.pid(), command(process.path()), found));
                if (missing.isEmpty()) {
                    break;
                }
            }
        }
        return holders;
    }

    /**
     * Its own namespace: the process itself, if it runs. Another one: the process whose {@code ns/pid} link names it
     * and whose innermost id (the last of {@code NSpid} in its status) is {@code pid}. The walk of {@code /proc}
     * happens when an application records itself, not on any change's path.
     */
    @Override
    public long agentPid(long pid, String pidNamespace) {
        if (pidNamespace.isEmpty() || pidNamespace.equals(namespaceOf(Procfs.PROC.resolve("self")))) {
            if (!Files.isDirectory(Procfs.PROC.resolve(Long.toString(pid)))) {
                throw new IllegalArgumentException("no process " + pid + " is running in the agent's PID namespace");
            }
            return pid;
        }
        for (Procfs.ProcessDirectory process : Procfs.processes()) {
            if (pidNamespace.equals(namespaceOf(process.path())) && innermostPid(process.path()) == pid) {
                return process.pid();
            }
        }
        throw new IllegalArgumentException("no process " + pid + " of PID namespace " + pidNamespace
                + " is visible to the agent: it runs in another container or has exited");
    }

    /** {@code pid:[INODE]}, or empty for a process that has gone. */
    private static String namespaceOf(Path processDirectory) {
        try {
            return Files.readSymbolicLink(processDirectory.resolve("ns").resolve("pid")).toString();
        } catch (IOException e) {
            return "";
        }
    }

    /** The process's id in its own PID namespace: the last of the ids on its {@code NSpid} line; 0 if unknown. */
    private static long innermostPid(Path processDirectory) {
        try {
            for (String line : Files.readAllLines(processDirectory.resolve("status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("NSpid:")) {
                    String[] ids = line.substring("NSpid:".length()).strip().split("\\s+");
                    return Long.parseLong(ids[ids.length - 1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // exited meanwhile
        }
        return 0;
    }

    /** The command line, or the short name ({@code comm}) when the command line is empty. */
    private static String command(Path processDirectory) {
        String line = ProcfsProcessControl.commandLine(processDirectory);
        if (!line.isEmpty()) {
            return line;
        }
        try {
            return Files.readString(processDirectory.resolve("comm"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
