package org.renumber.testing;

import org.renumber.domain.port.NetworkControl;

/** {@link InMemoryNetwork} keeps the {@link NetworkControl} contract the netlink adapter keeps in the kernel. */
class InMemoryNetworkContractTest extends NetworkControlContract {

    private final InMemoryNetwork network = new InMemoryNetwork().withInterface(IF, OLD.toString(), OLD6.toString());

    @Override
    protected NetworkControl control() {
        return network;
    }

    @Override
    protected void addInterface(String name, String address) {
        network.withInterface(name, address);
    }

    @Override
    protected void addRoute(String destination, String gateway, String interfaceName, String source) {
        network.withRoute(destination + " via " + gateway + " dev " + interfaceName, source);
    }

    @Override
    protected void addRule(String from, String rest) {
        network.withRule(from, rest);
    }
}
