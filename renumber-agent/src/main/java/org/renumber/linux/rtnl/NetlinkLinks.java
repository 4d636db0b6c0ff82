package org.renumber.linux.rtnl;

import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_ROUTE;

import java.util.List;
import java.util.Objects;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.netlink.NetlinkSocket;

/**
 * Links (network interfaces) of one namespace over rtnetlink: list them, create a veth pair, set one up. The
 * messages are those of {@code ip link show}, {@code ip link add NAME type veth peer name PEER} and
 * {@code ip link set NAME up}, sent on a socket opened inside the namespace, so both ends of a new pair are
 * created there ({@link LinkMessage} holds the bytes). Closing this closes the socket, not the namespace.
 */
public final class NetlinkLinks implements AutoCloseable {

    private final LinuxNetns netns;
    private final NetlinkSocket socket;

    public NetlinkLinks(LinuxNetns netns) {
        this.netns = Objects.requireNonNull(netns, "netns");
        this.socket = NetlinkSocket.openIn(netns, NETLINK_ROUTE);
    }

    /** Every link of the namespace, in index order (an RTM_GETLINK dump). */
    public List<LinkMessage> links() {
        return socket.transact("list links in " + netns.describe(), LinkMessage.dumpRequest(), LinkMessage::parse);
    }

    /** The link named {@code name}, or null when the namespace has none. */
    public LinkMessage find(String name) {
        LinkMessage.interfaceName(name);
        return links().stream().filter(link -> link.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * Creates the veth pair {@code name} / {@code peer}, both ends in this namespace and down.
     *
     * @throws org.renumber.domain.NetworkException with EEXIST when either name is taken
     */
    public void createVethPair(String name, String peer) {
        socket.request("create veth pair " + name + " / " + peer + " in " + netns.describe(),
                LinkMessage.vethPairRequest(name, peer));
    }

    /** Sets the link administratively up ({@code ip link set NAME up}); a link already up stays so. */
    public void setUp(String name) {
        LinkMessage link = find(name);
        if (link == null) {
            throw new IllegalArgumentException("no interface '" + name + "' in " + netns.describe());
        }
        socket.request("set " + name + " up in " + netns.describe(), LinkMessage.setUpRequest(link.index()));
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "links in " + netns.describe();
    }
}
