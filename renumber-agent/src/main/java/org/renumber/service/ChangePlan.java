package org.renumber.service;

import java.util.List;
import java.util.Objects;

/**
 * What a change would do if it were requested now, as {@link ChangePlanner} found it without touching anything.
 * A refused plan has {@code valid} false, the refusal the change would give, and empty lists.
 *
 * @param valid               whether the change would be accepted now
 * @param refusal             the message the change would be refused with; empty when valid
 * @param kind                REQUESTED (changeAddress) or MIGRATION (migrateSubscribers)
 * @param interfaceName       the interface, as given
 * @param oldAddress          the old address as configured (ADDR/PREFIX), or as given when refused
 * @param newAddress          the new address (ADDR/PREFIX), or as given when refused
 * @param usable              when the new address would be usable, for people
 * @param routes              the routes whose preferred source would move to the new address
 * @param rules               what would happen to the policy rules that select the old address
 * @param subscribers         the subscribers that would be told
 * @param applications        the declared legacy applications that would be restarted
 * @param guardNewConnections whether new inbound connections to the old address would be refused while draining
 * @param forceCloseAtDeadline whether what is left on the old address at the deadline would be destroyed
 * @param drainTimeoutSeconds the drain timeout asked for
 * @param connections         the live TCP connections on the old address now, with their holders
 * @param listeners           the TCP listeners bound to the old address now
 * @param holders             the processes holding sockets on the old address now, one line each
 */
public record ChangePlan(boolean valid, String refusal, String kind, String interfaceName, String oldAddress,
                         String newAddress, String usable, List<Route> routes, List<Rule> rules,
                         List<Subscriber> subscribers, List<String> applications, boolean guardNewConnections,
                         boolean forceCloseAtDeadline, long drainTimeoutSeconds, List<Connection> connections,
                         List<String> listeners, List<String> holders) {

    public ChangePlan {
        Objects.requireNonNull(refusal, "refusal");
        routes = List.copyOf(routes);
        rules = List.copyOf(rules);
        subscribers = List.copyOf(subscribers);
        applications = List.copyOf(applications);
        connections = List.copyOf(connections);
        listeners = List.copyOf(listeners);
        holders = List.copyOf(holders);
    }

    /** A route that would prefer the new address: iproute2's words before and after, and its table. */
    public record Route(String table, String before, String after) {
    }

    /**
     * What would happen to a policy rule: {@code add} (a copy for the new address, as shown), {@code delete} (the old
     * address's own rule, when the old address goes) or {@code keep} (it selects more than the old address; the
     * operator's to change).
     */
    public record Rule(String action, String rule) {
    }

    /** A subscriber that would be told; pid 0 when it did not record one. */
    public record Subscriber(String id, String group, String scope, long pid) {
    }

    /** A live connection on the old address and the process holding it (pid 0 and empty name when unknown). */
    public record Connection(String local, String remote, String state, long pid, String process) {
    }
}
