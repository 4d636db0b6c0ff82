package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SourceRoute;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.ScratchNamespace;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/**
 * Two interfaces on one subnet ({@code w0} and {@code w1}, each a veth whose peer stays in the same scratch
 * namespace), in both orders of creation and both families: every route operation on {@code w0} leaves
 * {@code w1}'s routes exactly as they were, and their order. The kernel keys an IPv4 route by table, prefix, tos
 * and metric whatever its device, and NLM_F_REPLACE replaces the first one of that key (docs/architecture.md,
 * "Routes"), so a request keyed on the prefix alone rewrites the neighbour's route.
 */
@Tag("kernel")
@KernelTest
class NeighbourRoutesTest {

    private ScratchNamespace namespace;
    private LinuxNetns netns;
    private NetlinkNetworkControl control;

    private record Subnet(String family, String old, String fresh, String neighbour, String network,
                          String gateway) {

        static Subnet of(String family) {
            return family.equals("4")
                    ? new Subnet("-4", "10.70.0.1/24", "10.70.0.2/24", "10.70.0.100/24", "10.70.0.0/24", "10.70.0.254")
                    : new Subnet("-6", "2001:db8:70::1/64", "2001:db8:70::2/64", "2001:db8:70::100/64",
                            "2001:db8:70::/64", "2001:db8:70::fe");
        }

        InterfaceAddress oldAddress() {
            return InterfaceAddress.parse(old);
        }

        InetAddress freshAddress() {
            return InterfaceAddress.parse(fresh).address();
        }

        boolean ipv4() {
            return family.equals("-4");
        }
    }

    /** Builds w0 and w1, up, then gives the first-named its address first. */
    private Subnet setUp(String family, String first) {
        namespace = ScratchNamespace.name();
        NetNsFixture.run("ip", "netns", "add", namespace.get());
        namespace.ip("link", "set", "lo", "up");
        for (String w : List.of("w0", "w1")) {
            namespace.ip("link", "add", w, "type", "veth", "peer", "name", w + "p");
            namespace.ip("link", "set", w + "p", "up");
            namespace.ip("link", "set", w, "up");
        }
        Subnet subnet = Subnet.of(family);
        if (first.equals("w1")) {
            addAddress("w1", subnet.neighbour);
            addAddress("w0", subnet.old);
        } else {
            addAddress("w0", subnet.old);
            addAddress("w1", subnet.neighbour);
        }
        netns = LinuxNetns.open(namespace.get());
        control = new NetlinkNetworkControl(netns);
        return subnet;
    }

    private void addAddress(String dev, String address) {
        List<String> args = new ArrayList<>(List.of("addr", "add", address, "dev", dev));
        if (address.contains(":")) {
            args.add("nodad"); // a tentative address cannot be a route's source
        }
        namespace.ip(args.toArray(String[]::new));
    }

    @AfterEach
    void deleteNamespace() {
        try (ScratchNamespace n = namespace; LinuxNetns ns = netns; NetlinkNetworkControl c = control) {
            // closed in reverse order, each even if another fails
        }
    }

    /** The routes of {@code dev} to the subnet, as iproute2 prints them. */
    private List<String> routes(Subnet subnet, String dev) {
        List<String> found = new ArrayList<>();
        for (JsonNode route : namespace.ipJson(subnet.family, "route", "show", "table", "all", subnet.network)) {
            if (route.path("dev").asText().equals(dev)) {
                found.add(route.toString());
            }
        }
        return found;
    }

    /** The devices of the subnet's routes in the kernel's order (the first one carries the traffic). */
    private List<String> order(Subnet subnet) {
        List<String> devices = new ArrayList<>();
        namespace.ipJson(subnet.family, "route", "show", subnet.network).forEach(r -> devices.add(r.path("dev").asText()));
        return devices;
    }

    private String source(Subnet subnet, String dev) {
        List<String> sources = new ArrayList<>();
        for (JsonNode route : namespace.ipJson(subnet.family, "route", "show", subnet.network, "dev", dev)) {
            sources.add(route.path("prefsrc").asText(null));
        }
        assertThat(sources).as("one route of %s on %s", subnet.network, dev).hasSize(1);
        return sources.get(0);
    }

    @ParameterizedTest(name = "IPv{0}, {1} first")
    @CsvSource({"4, w1", "4, w0", "6, w1", "6, w0"})
    void steeringTheConnectedRouteOfOneInterfaceLeavesTheOthersRouteAndTheOrder(String family, String first) {
        Subnet subnet = setUp(family, first);
        addAddress("w0", subnet.fresh);
        List<String> neighbour = routes(subnet, "w1");
        List<String> order = order(subnet);
        assertThat(neighbour).hasSize(1);

        control.setConnectedRouteSource("w0", subnet.oldAddress(), subnet.freshAddress());

        assertThat(routes(subnet, "w1")).isEqualTo(neighbour);
        assertThat(source(subnet, "w0")).isEqualTo(IpLiterals.format(subnet.freshAddress()));
        assertThat(order(subnet)).isEqualTo(order);
        assertThat(control.connectedRouteSource("w0", subnet.oldAddress())).isEqualTo(subnet.freshAddress());

        control.setConnectedRouteSource("w0", subnet.oldAddress(), subnet.oldAddress().address()); // the rollback

        assertThat(routes(subnet, "w1")).isEqualTo(neighbour);
        assertThat(source(subnet, "w0")).isEqualTo(IpLiterals.format(subnet.oldAddress().address()));
        assertThat(order(subnet)).isEqualTo(order);

        control.deleteConnectedRoute("w0", subnet.oldAddress());

        assertThat(routes(subnet, "w0")).isEmpty();
        assertThat(routes(subnet, "w1")).isEqualTo(neighbour);
    }

    /**
     * A renumbering by hand: the kernel made {@code dev w0 src NEW} itself, behind {@code w1}'s route. Steering
     * finds it done; the rollback names {@code w0}'s route, never the first one of the prefix.
     */
    @ParameterizedTest(name = "IPv{0}, {1} first")
    @CsvSource({"4, w1", "4, w0", "6, w1", "6, w0"})
    void aRouteTheKernelAlreadyMadeIsDoneAndItsRollbackTouchesOnlyThatInterface(String family, String first) {
        Subnet subnet = setUp(family, first);
        namespace.ip("addr", "del", subnet.old, "dev", "w0");
        addAddress("w0", subnet.fresh);
        addAddress("w0", subnet.old);
        if (subnet.ipv4()) {
            assertThat(source(subnet, "w0")).as("made by the kernel").isEqualTo(IpLiterals.format(subnet.freshAddress()));
        }
        List<String> neighbour = routes(subnet, "w1");

        control.setConnectedRouteSource("w0", subnet.oldAddress(), subnet.freshAddress());
        control.setConnectedRouteSource("w0", subnet.oldAddress(), subnet.freshAddress()); // a restart repeats it

        assertThat(routes(subnet, "w1")).isEqualTo(neighbour);
        assertThat(source(subnet, "w0")).isEqualTo(IpLiterals.format(subnet.freshAddress()));

        control.setConnectedRouteSource("w0", subnet.oldAddress(), subnet.oldAddress().address());

        assertThat(routes(subnet, "w1")).isEqualTo(neighbour);
        assertThat(source(subnet, "w0")).isEqualTo(IpLiterals.format(subnet.oldAddress().address()));
    }

    /** Left over from an interrupted change: two routes of w0 that differ only in their source become one. */
    @ParameterizedTest(name = "{0} first")
    @CsvSource({"w1", "w0"})
    void aSecondConnectedRouteOfTheSameInterfaceIsTidiedAwayNotTheNeighbours(String first) {
        Subnet subnet = setUp("4", first);
        addAddress("w0", subnet.fresh);
        namespace.ip("route", "append", subnet.network, "dev", "w0", "proto", "kernel", "scope", "link", "src",
                "10.70.0.2");
        List<String> neighbour = routes(subnet, "w1");
        assertThat(routes(subnet, "w0")).hasSize(2);

        control.setConnectedRouteSource("w0", subnet.oldAddress(), subnet.freshAddress());

        assertThat(routes(subnet, "w1")).isEqualTo(neighbour);
        assertThat(source(subnet, "w0")).isEqualTo("10.70.0.2");
    }

    /**
     * The same route on each interface (through one gateway for IPv4): moving w0's source leaves w1's route as it
     * was, and moving it back restores both as they were, in their order.
     */
    @ParameterizedTest(name = "IPv{0}, {1} first")
    @CsvSource({"4, w1", "4, w0", "6, w1", "6, w0"})
    void aRouteNamingTheOldSourceMovesAloneAndComesBackAlone(String family, String first) {
        Subnet subnet = setUp(family, first);
        addAddress("w0", subnet.fresh);
        String destination = subnet.ipv4() ? "192.0.2.0/24" : "2001:db8:77::/48";
        String oldSource = IpLiterals.format(subnet.oldAddress().address());
        List<String> byDevice = first.equals("w1") ? List.of("w1", "w0") : List.of("w0", "w1");
        for (String dev : byDevice) {
            List<String> args = new ArrayList<>(List.of(subnet.family, "route", "append", destination));
            if (subnet.ipv4()) {
                args.addAll(List.of("via", subnet.gateway)); // IPv6 would join two such routes into one multipath
            }
            args.addAll(List.of("dev", dev, "proto", "static"));
            if (dev.equals("w0")) {
                args.addAll(List.of("src", oldSource));
            }
            namespace.ip(args.toArray(String[]::new));
        }
        String before = namespace.ip(subnet.family, "route", "show", destination);
        List<SourceRoute> listed = control.routesWithSource(subnet.oldAddress().address());
        assertThat(listed).hasSize(1);

        control.setRouteSource(listed.get(0), subnet.freshAddress());

        String after = namespace.ip(subnet.family, "route", "show", destination);
        assertThat(after).contains("dev w0 proto static src " + IpLiterals.format(subnet.freshAddress()))
                .doesNotContain(oldSource);
        assertThat(after.lines().filter(l -> l.contains("dev w1")).toList())
                .isEqualTo(before.lines().filter(l -> l.contains("dev w1")).toList());

        control.setRouteSource(listed.get(0), subnet.oldAddress().address());

        assertThat(namespace.ip(subnet.family, "route", "show", destination)).isEqualTo(before);
    }
}
