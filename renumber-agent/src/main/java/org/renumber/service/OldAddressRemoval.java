package org.renumber.service;

import org.renumber.domain.NetInterface;
import org.renumber.domain.port.NetworkControl;

/**
 * REMOVING: the old address goes, without taking the new one or the routes with it. Routes and rules added during
 * the drain are moved and copied first, the old address's own rules go with it, and promote_secondaries protects a
 * new address in the old one's subnet. Nothing undoes the removal.
 */
record OldAddressRemoval(NetworkControl network, RouteMoveStep routes, RuleCopyStep rules,
                         PromoteSecondariesStep promoteSecondaries, RouteSourceStep routeSource,
                         RunningChange progress) {

    void apply(NetInterface nic) {
        var change = progress.change();
        if (nic.find(change.request().oldAddress().address()).isPresent()) {
            routes.apply();
            rules.apply();
            rules.deleteRulesOfOldAddress();
            promoteSecondaries.apply(nic);
            network.removeAddress(change.request().interfaceName(), change.request().oldAddress());
        }
        promoteSecondaries.restore();
        routeSource.tidy();
    }
}
