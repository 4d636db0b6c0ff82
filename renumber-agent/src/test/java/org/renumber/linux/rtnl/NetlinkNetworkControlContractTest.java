package org.renumber.linux.rtnl;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.renumber.domain.port.NetworkControl;
import org.renumber.linux.LinuxNetns;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetworkControlContract;

/**
 * {@link NetlinkNetworkControl} keeps the {@link NetworkControl} contract in namespace A of a fresh
 * {@link NetNsFixture} (deleted after each test): the same suite {@link org.renumber.testing.InMemoryNetwork}
 * passes, so the fake the workflow's unit tests use behaves as the kernel does.
 */
@KernelTest
class NetlinkNetworkControlContractTest extends NetworkControlContract {

    private NetNsFixture fixture;
    private LinuxNetns netns;
    private NetlinkNetworkControl control;

    @BeforeEach
    void createNamespaces() {
        fixture = NetNsFixture.create();
        // A new namespace inherits the host's IPv4 "all" settings; the contract starts with promotion off.
        fixture.setSysctl(fixture.a(), "net.ipv4.conf.all.promote_secondaries", "0");
        fixture.setSysctl(fixture.a(), "net.ipv4.conf." + IF + ".promote_secondaries", "0");
        netns = LinuxNetns.open(fixture.a());
        control = new NetlinkNetworkControl(netns);
    }

    @AfterEach
    void deleteNamespaces() {
        try (NetNsFixture f = fixture; LinuxNetns n = netns; NetlinkNetworkControl c = control) {
            // closed in reverse order, each even if another fails
        }
    }

    @Override
    protected NetworkControl control() {
        return control;
    }

    /** A veth pair inside namespace A, both ends up, {@code address} on {@code name}. */
    @Override
    protected void addInterface(String name, String address) {
        String peer = name + "p";
        fixture.ip(fixture.a(), "link", "add", name, "type", "veth", "peer", "name", peer);
        fixture.ip(fixture.a(), "link", "set", peer, "up");
        fixture.ip(fixture.a(), "link", "set", name, "up");
        fixture.ip(fixture.a(), "addr", "add", address, "dev", name);
    }

    @Override
    protected void addRoute(String destination, String gateway, String interfaceName, String source) {
        fixture.ip(fixture.a(), "route", "add", destination, "via", gateway, "dev", interfaceName, "src", source);
    }

    @Override
    protected void addRule(String from, String rest) {
        List<String> args = new ArrayList<>(List.of("rule", "add", "from", from));
        args.addAll(List.of(rest.split(" ")));
        fixture.ip(fixture.a(), args.toArray(String[]::new));
    }
}
