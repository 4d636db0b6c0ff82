package org.renumber.service;

import java.util.List;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SourceRoute;
import org.renumber.domain.port.NetworkControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-points the routes whose preferred source is the old address, in every table but local ({@code movedRoutes});
 * deleting the old address would otherwise delete them (IPv4, main table), leave them naming a source the node no
 * longer has (IPv4, other tables; IPv6 through a nexthop object) or strip their source (IPv6). Run when steering and
 * again just before the removal, for routes added during the drain. Each route is journaled before it is touched.
 */
record RouteMoveStep(NetworkControl network, RunningChange progress) implements KernelStep {

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);

    void apply() {
        var change = progress.change();
        List<SourceRoute> routes = network.routesWithSource(change.request().oldAddress().address());
        if (routes.isEmpty()) {
            return;
        }
        progress.transition(c -> c.withSteps(c.progress().steps().withMovedRoutes(routes)));
        for (SourceRoute route : routes) {
            network.setRouteSource(route, change.request().newAddress().address());
            log.info("change {}: route {} now has source {}", change.id(), route,
                    IpLiterals.format(change.request().newAddress().address()));
        }
    }

    /** Points every journaled route back at the old address (re-creating it if the kernel deleted it). */
    @Override
    public void undo(List<String> problems) {
        var change = progress.change();
        List<SourceRoute> moved = change.progress().steps().movedRoutes();
        if (moved.isEmpty()) {
            return;
        }
        boolean oldPresent;
        try {
            oldPresent = progress.currentInterface().find(change.request().oldAddress().address()).isPresent();
        } catch (RuntimeException e) {
            problems.add("could not look for " + change.request().oldAddress() + ": " + e.getMessage());
            return;
        }
        if (!oldPresent) {
            problems.add(change.request().oldAddress() + " is gone, so these routes cannot name it again: " + moved);
            return;
        }
        for (SourceRoute route : moved) {
            KernelStep.attempt(problems, "could not point route " + route + " back at " + change.request().oldAddress(),
                    () -> network.setRouteSource(route, change.request().oldAddress().address()));
        }
    }
}
