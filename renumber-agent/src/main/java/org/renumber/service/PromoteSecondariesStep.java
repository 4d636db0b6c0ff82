package org.renumber.service;

import org.renumber.domain.NetInterface;
import org.renumber.domain.port.NetworkControl;

/**
 * With promote_secondaries off, deleting an IPv4 primary deletes every secondary of its subnet, and the new address
 * is such a secondary when it shares the old one's subnet (docs/architecture.md). Switched on for the removal
 * ({@code promoteSecondariesSet}) and back after it.
 */
record PromoteSecondariesStep(NetworkControl network, RunningChange progress) {

    void apply(NetInterface nic) {
        var change = progress.change();
        if (!change.request().oldAddress().isIpv4()) {
            return;
        }
        boolean sharesSubnet = nic.addresses().stream()
                .anyMatch(a -> !a.address().equals(change.request().oldAddress().address()) && a.isIpv4()
                        && change.request().oldAddress().sameSubnet(a));
        if (sharesSubnet && !network.promoteSecondaries(change.request().interfaceName())) {
            progress.transition(c -> c.withSteps(c.progress().steps().withPromoteSecondariesSet(true)));
            network.setPromoteSecondaries(change.request().interfaceName(), true);
        }
    }

    void restore() {
        var change = progress.change();
        if (change.progress().steps().promoteSecondariesSet()) {
            network.setPromoteSecondaries(change.request().interfaceName(), false);
            progress.transition(c -> c.withSteps(c.progress().steps().withPromoteSecondariesSet(false)));
        }
    }
}
