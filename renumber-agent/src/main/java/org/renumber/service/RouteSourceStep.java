package org.renumber.service;

import java.util.List;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.port.NetworkControl;

/**
 * IPv4 steering: the old subnet's connected route names the new address as its preferred source
 * ({@code routeSteered}); IPv4 source selection ignores deprecation (docs/architecture.md).
 */
record RouteSourceStep(NetworkControl network, RunningChange progress) implements KernelStep {

    void apply() {
        var change = progress.change();
        if (!change.progress().steps().routeSteered()) {
            progress.transition(c -> c.withSteps(c.progress().steps().withRouteSteered(true)));
        }
        network.setConnectedRouteSource(change.request().interfaceName(), change.request().oldAddress(),
                change.request().newAddress().address());
    }

    @Override
    public void undo(List<String> problems) {
        var change = progress.change();
        KernelStep.attempt(problems, "could not restore the route source", () -> {
            if (change.progress().steps().routeSteered() && change.request().oldAddress().isIpv4()
                    && progress.currentInterface().find(change.request().oldAddress().address()).isPresent()) {
                network.setConnectedRouteSource(change.request().interfaceName(), change.request().oldAddress(),
                        change.request().oldAddress().address());
            }
        });
    }

    /**
     * After the removal, leaves the routing table as an operator renumbering by hand would: the old subnet's
     * connected route goes with the old subnet, or names the new address as source when the new address is in it.
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
    }
}
