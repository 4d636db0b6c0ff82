package org.renumber.jmx;

import static java.util.Comparator.comparing;
import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Function;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.domain.port.SocketInventory;
import org.weakref.jmx.Managed;

/** {@code renumber:type=ConnectionTracker}: which sockets still use an address. */
@MBeanDescription(description = "Sockets using a local address")
public final class ManagedConnectionTracker {

    private final ConnectionTracker tracker;
    private final SocketInventory inventory;
    private final Function<InetAddress, List<String>> holders;

    /** @param holders the processes holding sockets on an address, one line each (AddressChangeService::holders) */
    public ManagedConnectionTracker(ConnectionTracker tracker, SocketInventory inventory,
                                    Function<InetAddress, List<String>> holders) {
        this.tracker = requireNonNull(tracker, "tracker");
        this.inventory = requireNonNull(inventory, "inventory");
        this.holders = requireNonNull(holders, "holders");
    }

    @Managed(description = "Processes holding TCP sockets on the given local address, one line each: pid, command "
            + "line, number of connections (and listeners). Only the sockets on that address are looked for in the "
            + "processes' descriptors")
    public String[] holders(@Param(description = "local IP address, e.g. 10.9.0.1 or 2001:db8::1") String address) {
        return holders.apply(IpLiterals.parse(address)).toArray(String[]::new);
    }

    @Managed(description = "TCP listeners bound to the given local address, one line each; they stop accepting "
            + "once the address is removed")
    public String[] listeners(@Param(description = "local IP address, e.g. 10.9.0.1 or 2001:db8::1") String address) {
        return inventory.tcpListeners(IpLiterals.parse(address)).stream().map(SocketEntry::describe)
                .toArray(String[]::new);
    }

    @Managed(description = "UDP sockets bound to the given local address, one line each; once the address is "
            + "removed they are silently dead")
    public String[] udpSockets(@Param(description = "local IP address, e.g. 10.9.0.1 or 2001:db8::1") String address) {
        return inventory.udpSockets(IpLiterals.parse(address)).stream().map(SocketEntry::describe)
                .toArray(String[]::new);
    }

    @Managed(description = "TCP sockets whose local address is the given one, one line each: protocol, local, "
            + "remote, state; connections first, then listeners")
    public String[] connections(@Param(description = "local IP address, e.g. 10.9.0.1 or 2001:db8::1") String address) {
        return tracker.sockets(IpLiterals.parse(address)).stream()
                .sorted(comparing(SocketEntry::isListener))
                .map(SocketEntry::describe)
                .toArray(String[]::new);
    }

    @Managed(description = "Number of live connections (owned by a process, not listening, not closing) on the "
            + "given local address")
    public int countConnections(@Param(description = "local IP address, e.g. 10.9.0.1 or 2001:db8::1") String address) {
        return tracker.countConnections(IpLiterals.parse(address));
    }
}
