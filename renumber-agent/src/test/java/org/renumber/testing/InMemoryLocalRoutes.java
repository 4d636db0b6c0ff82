package org.renumber.testing;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.renumber.domain.InterfaceAddress;

/**
 * {@link InMemoryNetwork}'s IPv4 local routes (table local), as the kernel keeps them (docs/architecture.md, "Kernel
 * facts"): one per address and interface, preferring its subnet's primary (fib_add_ifaddr); one whose source was
 * changed outlives its address (fib_del_ifaddr deletes the route with the primary as source only).
 */
final class InMemoryLocalRoutes {

    /** By "IF ADDRESS": the routes' sources in the kernel's order; the first carries the traffic. */
    private final Map<String, List<InetAddress>> routes = new HashMap<>();

    /** fib_add_ifaddr: appended unless the same route is there. */
    void add(String interfaceName, InetAddress local, InetAddress source) {
        List<InetAddress> sources = routes.computeIfAbsent(key(interfaceName, local), k -> new ArrayList<>());
        if (!sources.contains(source)) {
            sources.add(source);
        }
    }

    InetAddress source(String interfaceName, InetAddress local) {
        List<InetAddress> sources = routes.get(key(interfaceName, local));
        return sources == null ? null : sources.get(0);
    }

    /** The route with {@code source} and no other; nothing when the address has none. */
    void set(String interfaceName, InetAddress local, InetAddress source) {
        routes.computeIfPresent(key(interfaceName, local), (k, sources) -> new ArrayList<>(List.of(source)));
    }

    void delete(String interfaceName, InetAddress local, InetAddress source) {
        String key = key(interfaceName, local);
        List<InetAddress> sources = routes.getOrDefault(key, new ArrayList<>());
        sources.remove(source);
        if (sources.isEmpty()) {
            routes.remove(key);
        }
    }

    /**
     * The addresses {@code removed} went, the first asked for and the others (its subnet's secondaries) with it;
     * {@code primarySource} was its subnet's primary. The first one's route with that source goes; if none of its
     * routes is left, the address no longer counts as local and the routes it is the source of go too
     * (fib_sync_down_addr). Secondaries deleted with their primary take their routes with them.
     */
    void forget(String interfaceName, List<InterfaceAddress> removed, InetAddress primarySource) {
        InetAddress gone = removed.get(0).address();
        delete(interfaceName, gone, primarySource);
        if (!routes.containsKey(key(interfaceName, gone))) {
            routes.values().forEach(sources -> sources.remove(gone));
            routes.values().removeIf(List::isEmpty);
        }
        removed.stream().skip(1).forEach(a -> routes.remove(key(interfaceName, a.address())));
    }

    private static String key(String interfaceName, InetAddress local) {
        return interfaceName + " " + local.getHostAddress();
    }
}
