package org.renumber.service;

/**
 * New outbound connections leave from the new address: for IPv4 through the old subnet's connected route, for
 * IPv6 by deprecating the old address, and for both by re-pointing the routes that name the old address as
 * their source, since a route's source wins over source selection. The new address gets the policy rules of
 * the old one first, so what leaves from it or comes to it is routed as the operator arranged. Idempotent, so a
 * restarted agent repeats it.
 */
record Steering(RouteSourceStep routeSource, DeprecationStep deprecation, RuleCopyStep rules, RouteMoveStep routes,
                RunningChange progress) {

    void apply() {
        if (progress.change().request().oldAddress().isIpv4()) {
            routeSource.apply();
        } else {
            deprecation.apply();
        }
        rules.apply();
        routes.apply();
    }
}
