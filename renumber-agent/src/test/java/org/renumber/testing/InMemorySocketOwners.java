package org.renumber.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.renumber.domain.SocketHolder;
import org.renumber.domain.port.SocketOwners;

/** Which process holds which socket inode, as a test says; the command of process N is "app-N". */
public final class InMemorySocketOwners implements SocketOwners {

    /** The test JVM's own PID namespace, which a client library in the same JVM names: the "agent's". */
    private static final String OWN_NAMESPACE = ownNamespace();

    private final Map<Long, Set<Long>> socketsByPid = new TreeMap<>();
    /** "pid:[NS]/INNER" to the agent's pid. */
    private final Map<String, Long> containerPids = new TreeMap<>();

    /** Process {@code pid} holds exactly these inodes from now on. */
    public synchronized InMemorySocketOwners own(long pid, long... inodes) {
        Set<Long> set = new HashSet<>();
        for (long inode : inodes) {
            set.add(inode);
        }
        socketsByPid.put(pid, set);
        return this;
    }

    private static String ownNamespace() {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid")).toString();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** Process {@code agentPid} runs as {@code innerPid} in PID namespace {@code pidNamespace}. */
    public synchronized InMemorySocketOwners inContainer(String pidNamespace, long innerPid, long agentPid) {
        containerPids.put(pidNamespace + "/" + innerPid, agentPid);
        return this;
    }

    @Override
    public synchronized long agentPid(long pid, String pidNamespace) {
        if (pidNamespace.isEmpty() || pidNamespace.equals(OWN_NAMESPACE)) {
            return pid;
        }
        Long agentPid = containerPids.get(pidNamespace + "/" + pid);
        if (agentPid == null) {
            throw new IllegalArgumentException("no process " + pid + " of PID namespace " + pidNamespace);
        }
        return agentPid;
    }

    @Override
    public synchronized Set<Long> heldBy(Collection<Long> pids, Set<Long> inodes) {
        Set<Long> held = new HashSet<>();
        for (long pid : pids) {
            socketsByPid.getOrDefault(pid, Set.of()).stream().filter(inodes::contains).forEach(held::add);
        }
        return held;
    }

    @Override
    public synchronized List<SocketHolder> holders(Set<Long> inodes) {
        List<SocketHolder> holders = new ArrayList<>();
        socketsByPid.forEach((pid, held) -> {
            Set<Long> found = new HashSet<>(held);
            found.retainAll(inodes);
            if (!found.isEmpty()) {
                holders.add(new SocketHolder(pid, "app-" + pid, found));
            }
        });
        return holders;
    }
}
