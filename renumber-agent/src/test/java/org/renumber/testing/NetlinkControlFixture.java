package org.renumber.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.rtnl.NetlinkNetworkControl;

/**
 * What the netlink adapter's kernel tests share: a fresh pair of namespaces for each test, and the adapter opened in
 * namespace A; closed in reverse order after the test, each even if another fails.
 */
public abstract class NetlinkControlFixture {

    protected NetNsFixture fixture;
    protected LinuxNetns netns;
    protected NetlinkNetworkControl control;

    @BeforeEach
    void createNamespaces() {
        fixture = NetNsFixture.create();
        netns = LinuxNetns.open(fixture.a());
        control = new NetlinkNetworkControl(netns);
    }

    @AfterEach
    void deleteNamespaces() {
        try (NetNsFixture f = fixture; LinuxNetns n = netns; NetlinkNetworkControl c = control) {
            // closed in reverse order, each even if another fails
        }
    }
}
