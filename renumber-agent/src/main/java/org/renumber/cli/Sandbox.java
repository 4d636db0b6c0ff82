package org.renumber.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetInterface;
import org.renumber.linux.LinuxNamespaces;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.rtnl.LinkMessage;
import org.renumber.linux.rtnl.NetlinkLinks;
import org.renumber.linux.rtnl.NetlinkNetworkControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's sandbox: a namespace of its own with a veth pair and an IPv4 address, so trying the agent
 * never touches the host's network.
 * <pre>
 *   renumber-sandbox:  lo up,  rn0 10.77.0.1/24 (managed) &lt;- veth -&gt; rn1 10.77.0.2/24
 * </pre>
 * Made with netlink and system calls only (no {@code ip} subprocess), and idempotent: an existing sandbox is
 * reused, and whatever part of it is missing (a link, an address, a link left down) is completed.
 */
final class Sandbox {

    static final String NAMESPACE = "renumber-sandbox";
    static final String INTERFACE = "rn0";
    static final String PEER_INTERFACE = "rn1";
    static final String ADDRESS = "10.77.0.1/24";
    static final String PEER_ADDRESS = "10.77.0.2/24";
    static final String SUGGESTED_NEW = "10.77.0.9/24";

    private static final Logger log = LoggerFactory.getLogger(Sandbox.class);
    private static final String LOOPBACK = "lo";
    private static final String VETH = "veth";

    /**
     * What was made (or found) and how to try a change. {@code address} is the managed interface's current
     * IPv4 address (after a change made in an earlier run, no longer {@value #ADDRESS}); {@code completed}
     * lists what a reused sandbox was missing and got.
     */
    record Layout(String namespace, boolean created, String address, List<String> completed) {

        Layout {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(address, "address");
            completed = List.copyOf(completed);
        }

        Layout(String namespace, boolean created) {
            this(namespace, created, ADDRESS, List.of());
        }

        String howToTry(Agent agent) {
            String url = agent.jolokia().url().toString();
            String suggested = address.equals(SUGGESTED_NEW) ? ADDRESS : SUGGESTED_NEW;
            return (created ? "Created" : "Reusing") + " namespace " + namespace
                    + (completed.isEmpty() ? "" : " (completed: " + String.join(", ", completed) + ")") + ": "
                    + INTERFACE + " " + address + " <-> " + PEER_INTERFACE + " " + PEER_ADDRESS + "\n"
                    + "Try a change (password in the credentials file named above):\n"
                    + "  curl -s -u " + agent.credentials().user() + ":$PASSWORD -H 'Content-Type: application/json' \\\n"
                    + "    -d '{\"type\":\"exec\",\"mbean\":\"renumber:type=AddressChangeService\",\"operation\":\"changeAddress\","
                    + "\"arguments\":[\"" + INTERFACE + "\",\"" + address.split("/")[0] + "\",\"" + suggested
                    + "\",\"\",30]}' " + url + "\n"
                    + "  ip netns exec " + namespace + " ip addr show " + INTERFACE;
        }
    }

    private Sandbox() {
    }

    /** The sandbox {@value #NAMESPACE}, created or reused. */
    static Layout ensure() {
        return ensure(NAMESPACE);
    }

    /**
     * The sandbox in namespace {@code namespace} (tests use unique names): creates the namespace when
     * {@code /run/netns/NAME} is no namespace yet, then makes sure it holds the veth pair, the addresses and
     * the links up. A namespace created here is deleted again when the rest fails.
     *
     * @throws IllegalStateException when the namespace holds an {@value #INTERFACE} or {@value #PEER_INTERFACE}
     *         that is not this veth pair (the message says how to start over)
     */
    static Layout ensure(String namespace) {
        boolean created = false;
        if (!LinuxNamespaces.exists(namespace)) {
            LinuxNamespaces.create(namespace);
            created = true;
        }
        try {
            List<String> completed = new ArrayList<>();
            String address = complete(namespace, completed);
            if (!created && !completed.isEmpty()) {
                log.info("sandbox {} was incomplete; completed: {}", namespace, String.join(", ", completed));
            }
            return new Layout(namespace, created, address, created ? List.of() : completed);
        } catch (RuntimeException | Error e) {
            if (created) {
                try {
                    LinuxNamespaces.delete(namespace);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /** Adds what is missing, noting each step in {@code completed}; returns the managed interface's IPv4 address. */
    private static String complete(String namespace, List<String> completed) {
        try (LinuxNetns netns = LinuxNetns.open(namespace);
                NetlinkLinks links = new NetlinkLinks(netns);
                NetlinkNetworkControl control = new NetlinkNetworkControl(netns)) {
            LinkMessage managed = links.find(INTERFACE);
            if (managed == null) {
                links.createVethPair(INTERFACE, PEER_INTERFACE);
                completed.add("veth pair " + INTERFACE + "/" + PEER_INTERFACE);
            }
            requireVethPair(namespace, links.find(INTERFACE), links.find(PEER_INTERFACE));

            // The managed interface gets the sandbox address only when it has no IPv4 address at all: one that
            // differs is most likely the result of a change tried in an earlier run, and stays.
            List<NetInterface> interfaces = control.interfaces();
            Optional<InterfaceAddress> current = ipv4Addresses(interfaces, INTERFACE).stream().findFirst();
            if (current.isEmpty()) {
                control.addAddress(INTERFACE, InterfaceAddress.parse(ADDRESS));
                completed.add(ADDRESS + " on " + INTERFACE);
            }
            InterfaceAddress peerAddress = InterfaceAddress.parse(PEER_ADDRESS);
            if (!ipv4Addresses(interfaces, PEER_INTERFACE).contains(peerAddress)) {
                control.addAddress(PEER_INTERFACE, peerAddress);
                completed.add(PEER_ADDRESS + " on " + PEER_INTERFACE);
            }

            for (String name : List.of(LOOPBACK, INTERFACE, PEER_INTERFACE)) {
                LinkMessage link = links.find(name);
                if (link == null) {
                    throw new IllegalStateException("no " + name + " in network namespace " + namespace);
                }
                if (!link.isUp()) {
                    links.setUp(name);
                    completed.add(name + " up");
                }
            }
            return current.map(InterfaceAddress::toString).orElse(ADDRESS);
        }
    }

    private static void requireVethPair(String namespace, LinkMessage managed, LinkMessage peer) {
        boolean pair = managed != null && peer != null && VETH.equals(managed.kind()) && VETH.equals(peer.kind())
                && managed.linkIndex() == peer.index() && peer.linkIndex() == managed.index();
        if (!pair) {
            throw new IllegalStateException("network namespace " + namespace + " has " + describe(managed, INTERFACE)
                    + " and " + describe(peer, PEER_INTERFACE) + ", not the sandbox's veth pair " + INTERFACE + "/"
                    + PEER_INTERFACE + "; start over with: ip netns del " + namespace);
        }
    }

    private static String describe(LinkMessage link, String name) {
        return link == null ? "no " + name
                : name + " (" + (link.kind() == null ? "no kind" : link.kind()) + ", peer index " + link.linkIndex() + ")";
    }

    private static List<InterfaceAddress> ipv4Addresses(List<NetInterface> interfaces, String name) {
        return interfaces.stream().filter(i -> i.name().equals(name))
                .flatMap(i -> i.addresses().stream()).filter(InterfaceAddress::isIpv4).toList();
    }
}
