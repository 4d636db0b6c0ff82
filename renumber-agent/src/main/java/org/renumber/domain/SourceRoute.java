package org.renumber.domain;

import java.util.Objects;
import org.renumber.domain.port.NetworkControl;

/**
 * A route that names a preferred source address, in any table but {@code local}, as a {@link NetworkControl}
 * lists it. Deleting an IPv4 address deletes such routes of the main table with it and leaves those of other
 * tables naming a source the node no longer has; deleting an IPv6 address strips them of their source, but for
 * those through a nexthop object ({@code nhid}), which keep naming it. So a change re-points them to the new
 * address first, and journals them so a rollback can point them back.
 *
 * @param text what the route is, for people (iproute2's syntax, without the source)
 * @param key  the adapter's exact encoding of everything about the route but its source, so that the same
 *             route can be re-pointed, or re-created as it was, by this or a restarted agent
 */
public record SourceRoute(String text, String key) {

    public SourceRoute {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
        return text;
    }
}
