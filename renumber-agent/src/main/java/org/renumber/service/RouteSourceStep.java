package org.renumber.service;

import java.net.InetAddress;
import java.util.List;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetInterface;
import org.renumber.domain.port.NetworkControl;

/**
 * IPv4 steering ({@code routeSteered}): the old subnet's connected route names the new address as its preferred
 * source, since IPv4 source selection ignores deprecation; and so does the new address's local route, which the
 * kernel gives its subnet's primary as source, so a client on this node connecting to the new address would
 * otherwise still leave from the old one and hold it (docs/architecture.md, "Kernel facts"). The undo gives both
 * back as the kernel made them, while the new address is still there.
 */
record RouteSourceStep(NetworkControl network, RunningChange progress) implements KernelStep {

    void apply() {
        var change = progress.change();
        if (!change.progress().steps().routeSteered()) {
            progress.transition(c -> c.withSteps(c.progress().steps().withRouteSteered(true)));
        }
        InetAddress newAddress = change.request().newAddress().address();
        network.setConnectedRouteSource(change.request().interfaceName(), change.request().oldAddress(), newAddress);
        network.setLocalRouteSource(change.request().interfaceName(), newAddress, newAddress);
    }

    @Override
    public void undo(List<String> problems) {
        var change = progress.change();
        if (!change.progress().steps().routeSteered() || !change.request().oldAddress().isIpv4()) {
            return;
        }
        KernelStep.attempt(problems, "could not restore the route source", () -> {
            if (progress.currentInterface().find(change.request().oldAddress().address()).isPresent()) {
                network.setConnectedRouteSource(change.request().interfaceName(), change.request().oldAddress(),
                        change.request().oldAddress().address());
            }
        });
        KernelStep.attempt(problems, "could not restore the new address's local route", this::restoreLocalRoute);
    }

    /**
     * After the removal, leaves the routing table as an operator renumbering by hand would: the old subnet's
     * connected route goes with the old subnet, or names the new address as source when the new address is in it;
     * the new address's local route is the kernel's own again (mostly it already is: a promoted new address is
     * its subnet's primary).
     */
    void tidy() {
        var change = progress.change();
        if (!change.progress().steps().routeSteered()) {
            return;
        }
        InterfaceAddress old = change.request().oldAddress();
        List<InterfaceAddress> addresses = progress.currentInterface().addresses();
        if (addresses.stream().anyMatch(old::sameSubnet)) {
            InterfaceAddress first = progress.currentInterface().addresses().stream().filter(old::sameSubnet)
                    .findFirst().orElseThrow();
            network.setConnectedRouteSource(change.request().interfaceName(), old, first.address());
        } else {
            network.deleteConnectedRoute(change.request().interfaceName(), old);
        }
        restoreLocalRoute();
    }

    /**
     * The new address's local route as the kernel makes it: its subnet's primary, the first address of the subnet
     * in the kernel's order, as source (fib_add_ifaddr). An address that has gone leaves the route this step
     * steered behind (fib_del_ifaddr deletes only the one with the primary as source): it is deleted, or the node
     * would still take the address for its own.
     */
    private void restoreLocalRoute() {
        var change = progress.change();
        String interfaceName = change.request().interfaceName();
        InterfaceAddress added = change.request().newAddress();
        NetInterface nic = progress.currentInterface();
        if (nic.find(added.address()).isEmpty()) {
            network.deleteLocalRoute(interfaceName, added.address(), added.address());
            return;
        }
        InetAddress primary = nic.addresses().stream().filter(a -> a.isIpv4() && a.sameSubnet(added))
                .findFirst().orElse(added).address();
        network.setLocalRouteSource(interfaceName, added.address(), primary);
    }
}
