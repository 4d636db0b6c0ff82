package org.renumber.service;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.SocketHolder;
import org.renumber.domain.port.KernelPorts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes behind subscribers and sockets: the process a subscribed application records for itself (partial
 * migrations follow its sockets), and which processes hold the sockets on an address.
 */
final class SubscriberProcesses {

    private static final Pattern PID_NAMESPACE = Pattern.compile("pid:\\[[0-9]{1,20}\\]");
    private static final Logger log = LoggerFactory.getLogger(SubscriberProcesses.class);

    private final KernelPorts kernel;
    private final SubscriberRegistry subscribers;

    SubscriberProcesses(KernelPorts kernel, SubscriberRegistry subscribers) {
        this.kernel = requireNonNull(kernel, "kernel");
        this.subscribers = requireNonNull(subscribers, "subscribers");
    }

    /** See {@link AddressChangeService#recordProcess}. */
    long recordProcess(String subscriberId, long pid, String pidNamespace) {
        String id = ChangeValidation.required(subscriberId, "subscriberId").strip();
        if (pid < 1) {
            throw new IllegalArgumentException("pid " + pid + " is not a process id: give the application's own "
                    + "(ProcessHandle.current().pid()); to clear the recorded one, write 0 to Pid");
        }
        String namespace = pidNamespace == null ? "" : pidNamespace.strip();
        if (!namespace.isEmpty() && !PID_NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("pidNamespace '" + namespace + "' is not what /proc/self/ns/pid "
                    + "reads (pid:[INODE], e.g. pid:[4026532710]); leave it empty for the agent's namespace");
        }
        if (subscribers.find(id).isEmpty()) {
            throw new IllegalArgumentException("no subscriber with id '" + id + "'");
        }
        long agentPid = kernel.owners().agentPid(pid, namespace);
        subscribers.recordPid(id, agentPid);
        if (agentPid != pid) {
            log.info("subscriber {}: process {} of {} is process {} here", id, pid, namespace, agentPid);
        }
        return agentPid;
    }

    /** See {@link AddressChangeService#holders}. */
    List<String> holders(InetAddress address) {
        List<SocketEntry> sockets = kernel.tracker().sockets(requireNonNull(address, "address")).stream()
                .filter(s -> s.inode() != 0).toList();
        if (sockets.isEmpty()) {
            return List.of();
        }
        Set<Long> inodes = new HashSet<>();
        sockets.forEach(s -> inodes.add(s.inode()));
        return kernel.owners().holders(inodes).stream().map(h -> describe(h, sockets)).toList();
    }

    private static String describe(SocketHolder holder, List<SocketEntry> sockets) {
        long connections = sockets.stream().filter(s -> holder.inodes().contains(s.inode()))
                .filter(SocketEntry::isLiveConnection).count();
        long listeners = sockets.stream().filter(s -> holder.inodes().contains(s.inode()))
                .filter(SocketEntry::isListener).count();
        String command = holder.command().length() > 120 ? holder.command().substring(0, 117) + "..."
                : holder.command();
        return holder.pid() + " " + (command.isEmpty() ? "?" : command) + ": " + connections + " connection"
                + (connections == 1 ? "" : "s") + (listeners == 0 ? "" : ", " + listeners + " listener"
                + (listeners == 1 ? "" : "s"));
    }
}
