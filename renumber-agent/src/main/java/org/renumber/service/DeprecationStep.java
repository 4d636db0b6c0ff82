package org.renumber.service;

import java.util.List;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.port.NetworkControl;

/**
 * IPv6 steering: the old address is deprecated (RFC 6724 rule 3 avoids deprecated sources). Preferred lifetime 0,
 * valid lifetime as it is; the lifetimes before are journaled ({@code oldAddressLifetimes}) so rollback restores them.
 */
record DeprecationStep(NetworkControl network, RunningChange progress) implements KernelStep {

    void apply() {
        var change = progress.change();
        AddressLifetimes now = network.lifetimes(change.request().interfaceName(), change.request().oldAddress());
        if (now == null) {
            return; // the old address has gone: nothing left to steer away from
        }
        if (!change.progress().steps().oldAddressDeprecated()) {
            progress.transition(c -> c.withSteps(c.progress().steps().withOldAddressDeprecated(now)));
        }
        if (!now.isDeprecated()) {
            network.setLifetimes(change.request().interfaceName(), change.request().oldAddress(), now.deprecated());
        }
    }

    @Override
    public void undo(List<String> problems) {
        var change = progress.change();
        KernelStep.attempt(problems, "could not give " + change.request().oldAddress()
                + " back its preferred lifetime", () -> {
            AddressLifetimes before = change.progress().steps().oldAddressLifetimes();
            AddressLifetimes now = before == null ? null : network.lifetimes(change.request().interfaceName(),
                    change.request().oldAddress());
            if (now != null) {
                network.setLifetimes(change.request().interfaceName(), change.request().oldAddress(),
                        before.restoredFrom(now));
            }
        });
    }
}
