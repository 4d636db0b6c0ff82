package org.renumber.testing;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressRule;
import org.renumber.domain.AddressState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.NetInterface;
import org.renumber.domain.NetworkException;
import org.renumber.domain.SourceRoute;
import org.renumber.domain.port.NetworkControl;

/**
 * A kernel stand-in for unit tests of the domain and the adapters above it. It models the kernel behaviour the
 * workflow depends on:
 * <ul>
 *   <li>deleting an IPv4 primary without promote_secondaries deletes the secondaries of its subnet;</li>
 *   <li>a new IPv6 address runs duplicate address detection: usable at once by default, or held
 *       {@link #holdDad() tentative} until the test {@link #completeDad completes} or {@link #failDad fails} it;</li>
 *   <li>addresses have lifetimes (permanent unless set), IPv6 deprecation included;</li>
 *   <li>one connected route per interface and subnet: interfaces on the same subnet each have their own, and an
 *       operation on one never touches another's, as the netlink adapter names each route exactly
 *       (docs/architecture.md, "Routes"); an IPv4 one prefers its address, an IPv6 one names no source;</li>
 *   <li>an IPv4 address's local route (table local) prefers its subnet's primary ({@code fib_add_ifaddr});
 *       a steered one outlives its address, and a promoted primary gets every local route of its subnet again;</li>
 *   <li>an IPv4 address is keyed by address and prefix, an IPv6 one by its address;</li>
 *   <li>routes with a preferred source ({@link #withRoute}): deleting their source address deletes them (IPv4)
 *       or strips their source (IPv6), and a source that is not a usable local address is refused;</li>
 *   <li>policy rules that select a source or destination prefix ({@link #withRule}), keyed by all they are, so the
 *       same rule for another address is another rule; they do not depend on addresses.</li>
 * </ul>
 * Any operation can be made to fail once with {@link #failNext}. {@link NetworkControlContract} runs the same
 * behaviour suite against this and the netlink adapter in a namespace, so the two cannot drift apart.
 */
public final class InMemoryNetwork implements NetworkControl {

    private final Map<String, List<InterfaceAddress>> interfaces = new LinkedHashMap<>();
    private final Map<String, InetAddress> routeSources = new HashMap<>();
    private final InMemoryLocalRoutes localRoutes = new InMemoryLocalRoutes();
    private final Map<String, Boolean> promote = new HashMap<>();
    private final Map<InetAddress, AddressState> states = new HashMap<>();
    private final Map<InetAddress, AddressLifetimes> lifetimes = new HashMap<>();
    /** Routes that name a source, by their text; the value is the source, null once stripped of it (IPv6). */
    private final Map<String, InetAddress> sourceRoutes = new LinkedHashMap<>();
    /** Policy rules in the kernel's order. */
    private final List<Rule> rules = new ArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private final Map<String, Failure> failures = new HashMap<>();
    private boolean holdDad;
    private boolean dadTimesOut;

    private record Waiter(InetAddress address, CompletableFuture<AddressState> future) {
    }

    private record Failure(int successesLeft, RuntimeException failure) {
    }

    /**
     * A rule {@code from FROM [to TO] REST}, each selector a prefix or null for {@code all}, e.g. from 10.9.0.1/32,
     * to null and "lookup 100 priority 1000". Its key for an address is "mem-rule:FROM TO REST" with "/LENGTH" for
     * each selector that names exactly that address, where another address goes.
     */
    private record Rule(InterfaceAddress from, InterfaceAddress to, String rest) {

        static Rule of(AddressRule rule, InetAddress address) {
            String[] key = rule.key().substring("mem-rule:".length()).split(" ", 3);
            return new Rule(selector(key[0], address), selector(key[1], address), key[2]);
        }

        private static InterfaceAddress selector(String key, InetAddress address) {
            if (key.equals("all")) {
                return null;
            }
            return key.startsWith("/") ? new InterfaceAddress(address, Integer.parseInt(key.substring(1)))
                    : InterfaceAddress.parse(key);
        }

        boolean selects(InetAddress address) {
            return from != null && from.contains(address) || to != null && to.contains(address);
        }

        AddressRule listedFor(InetAddress address) {
            return new AddressRule(toString(), "mem-rule:" + keyOf(from, address) + " " + keyOf(to, address) + " "
                    + rest, names(from, address) || names(to, address));
        }

        private static String keyOf(InterfaceAddress selector, InetAddress address) {
            return selector == null ? "all" : names(selector, address) ? "/" + selector.prefixLength()
                    : selector.toString();
        }

        private static boolean names(InterfaceAddress selector, InetAddress address) {
            return selector != null && selector.address().equals(address)
                    && selector.prefixLength() == InterfaceAddress.maxPrefix(address);
        }

        @Override
        public String toString() {
            return "from " + (from == null ? "all" : from) + (to == null ? "" : " to " + to) + " " + rest;
        }
    }

    public synchronized InMemoryNetwork withInterface(String name, String... addresses) {
        List<InterfaceAddress> list = new ArrayList<>();
        for (String a : addresses) {
            InterfaceAddress address = InterfaceAddress.parse(a);
            list.add(address);
            states.put(address.address(), AddressState.USABLE);
            addConnectedRoute(name, address);
            if (address.isIpv4()) {
                localRoutes.add(name, address.address(), primary(list, address).address());
            }
        }
        interfaces.put(name, list);
        return this;
    }

    /** A route whose preferred source is {@code source}, written as iproute2 would without the source. */
    public synchronized InMemoryNetwork withRoute(String route, String source) {
        sourceRoutes.put(route, IpLiterals.parse(source));
        return this;
    }

    /** The route's source now (null: it has none left), or throws if the route has gone. */
    public synchronized InetAddress routeSource(String route) {
        if (!sourceRoutes.containsKey(route)) {
            throw new AssertionError("no route '" + route + "'; routes: " + sourceRoutes.keySet());
        }
        return sourceRoutes.get(route);
    }

    /** Every route with a source, as "ROUTE src ADDRESS" (or without "src" once stripped), in insertion order. */
    public synchronized List<String> routes() {
        List<String> list = new ArrayList<>();
        sourceRoutes.forEach((route, source) ->
                list.add(source == null ? route : route + " src " + IpLiterals.format(source)));
        return list;
    }

    /** A policy rule selecting {@code from} (ADDRESS/PREFIX), {@code rest} as iproute2 writes it after that. */
    public InMemoryNetwork withRule(String from, String rest) {
        return withRule(from, "all", rest);
    }

    /** A policy rule selecting {@code from} and {@code to} (ADDRESS/PREFIX or all), then {@code rest}. */
    public synchronized InMemoryNetwork withRule(String from, String to, String rest) {
        rules.add(new Rule(from.equals("all") ? null : InterfaceAddress.parse(from),
                to.equals("all") ? null : InterfaceAddress.parse(to), rest));
        return this;
    }

    /** Every rule, as "from ADDRESS/PREFIX [to ADDRESS/PREFIX] REST" ("all" for none), in the kernel's order. */
    public synchronized List<String> rules() {
        return rules.stream().map(Rule::toString).toList();
    }

    /** From now on, new IPv6 addresses stay tentative until {@link #completeDad} or {@link #failDad}. */
    public synchronized InMemoryNetwork holdDad() {
        holdDad = true;
        return this;
    }

    /** From now on, a wait for a tentative address ends as if its timeout had passed. */
    public synchronized InMemoryNetwork dadTimesOut() {
        dadTimesOut = true;
        releaseWaiters();
        return this;
    }

    /** Duplicate address detection of {@code address} succeeds. */
    public void completeDad(String address) {
        settle(IpLiterals.parse(address), AddressState.USABLE);
    }

    /** Duplicate address detection of {@code address} finds another node using it. */
    public void failDad(String address) {
        settle(IpLiterals.parse(address), AddressState.DUPLICATE);
    }

    public synchronized AddressState state(String address) {
        return states.getOrDefault(IpLiterals.parse(address), AddressState.ABSENT);
    }

    /** Makes the next call of the named operation (a method of {@link NetworkControl}) throw {@code failure}. */
    public synchronized void failNext(String operation, RuntimeException failure) {
        failAfter(operation, 0, failure);
    }

    /** Lets the named operation succeed {@code successes} times, then makes it throw {@code failure} once. */
    public synchronized void failAfter(String operation, int successes, RuntimeException failure) {
        failures.put(operation, new Failure(successes, failure));
    }

    public void failNextAdd(RuntimeException failure) {
        failNext("addAddress", failure);
    }

    @Override
    public synchronized List<NetInterface> interfaces() {
        List<NetInterface> list = new ArrayList<>();
        int index = 1;
        for (Map.Entry<String, List<InterfaceAddress>> e : interfaces.entrySet()) {
            list.add(new NetInterface(index++, e.getKey(), e.getValue()));
        }
        return list;
    }

    public synchronized List<InterfaceAddress> addresses(String name) {
        return List.copyOf(interfaces.get(name));
    }

    @Override
    public synchronized void addAddress(String interfaceName, InterfaceAddress address) {
        failIfAsked("addAddress");
        List<InterfaceAddress> list = nic(interfaceName);
        // The kernel keys an IPv4 address by address and prefix (10.9.0.1/24 and /16 may both be there), an IPv6
        // one by its address alone (docs/architecture.md, "Kernel facts"; NetworkControlContract checks both).
        if (list.stream().anyMatch(a -> a.address().equals(address.address()) && (a.isIpv6() || a.equals(address)))) {
            throw new NetworkException("add " + address + ": File exists", 17);
        }
        list.add(address);
        states.put(address.address(), address.isIpv6() && holdDad ? AddressState.TENTATIVE : AddressState.USABLE);
        addConnectedRoute(interfaceName, address);
        if (address.isIpv4()) {
            localRoutes.add(interfaceName, address.address(), primary(list, address).address());
        }
    }

    @Override
    public synchronized void removeAddress(String interfaceName, InterfaceAddress address) {
        failIfAsked("removeAddress");
        List<InterfaceAddress> list = nic(interfaceName);
        int index = list.indexOf(address);
        if (index < 0) {
            throw new NetworkException("delete " + address + ": Cannot assign requested address", 99);
        }
        boolean primary = list.stream().filter(a -> a.isIpv4() && a.sameSubnet(address)).findFirst()
                .map(address::equals).orElse(false);
        InetAddress primarySource = address.isIpv4() ? primary(list, address).address() : null;
        List<InterfaceAddress> removed = new ArrayList<>(List.of(address));
        list.remove(index);
        if (primary && !promote.getOrDefault(interfaceName, false)) {
            list.stream().filter(a -> a.isIpv4() && a.sameSubnet(address)).forEach(removed::add);
            list.removeIf(a -> a.isIpv4() && a.sameSubnet(address));
        }
        for (InterfaceAddress gone : removed) {
            forget(gone.address());
        }
        if (primarySource != null) {
            localRoutes.forget(interfaceName, removed, primarySource);
        }
        InterfaceAddress promoted = list.stream().filter(a -> a.sameSubnet(address)).findFirst().orElse(null);
        if (promoted == null) {
            routeSources.remove(routeKey(interfaceName, address));
        } else {
            addConnectedRoute(interfaceName, promoted); // fib_add_ifaddr
            if (promoted.isIpv4() && address.address().equals(primarySource)) {
                list.stream().filter(promoted::sameSubnet)
                        .forEach(a -> localRoutes.add(interfaceName, a.address(), promoted.address()));
            }
        }
    }

    /** What the kernel does to what depended on an address it deletes. */
    private void forget(InetAddress gone) {
        states.remove(gone);
        lifetimes.remove(gone);
        if (gone instanceof Inet4Address) {
            sourceRoutes.values().removeIf(gone::equals); // fib_sync_down_addr
            routeSources.values().removeIf(gone::equals);
        } else {
            sourceRoutes.replaceAll((route, source) -> gone.equals(source) ? null : source); // rt6_remove_prefsrc
        }
        releaseWaiters();
    }

    @Override
    public CompletableFuture<AddressState> awaitUsable(String interfaceName, InterfaceAddress address,
                                                       Duration timeout) {
        CompletableFuture<AddressState> future = new CompletableFuture<>();
        synchronized (this) {
            failIfAsked("awaitUsable");
            nic(interfaceName);
            waiters.add(new Waiter(address.address(), future));
            releaseWaiters();
        }
        return future;
    }

    @Override
    public synchronized AddressLifetimes lifetimes(String interfaceName, InterfaceAddress address) {
        failIfAsked("lifetimes");
        if (!nic(interfaceName).contains(address)) {
            return null;
        }
        return lifetimes.getOrDefault(address.address(), AddressLifetimes.PERMANENT);
    }

    @Override
    public synchronized void setLifetimes(String interfaceName, InterfaceAddress address, AddressLifetimes value) {
        failIfAsked("setLifetimes");
        if (!nic(interfaceName).contains(address)) {
            throw new NetworkException("set lifetimes of " + address + ": not on " + interfaceName, 99);
        }
        lifetimes.put(address.address(), value);
    }

    /** The lifetimes of an address as {@code ip addr} would show them. */
    public synchronized AddressLifetimes lifetimes(String address) {
        InetAddress a = IpLiterals.parse(address);
        return states.containsKey(a) ? lifetimes.getOrDefault(a, AddressLifetimes.PERMANENT) : null;
    }

    @Override
    public synchronized List<SourceRoute> routesWithSource(InetAddress source) {
        failIfAsked("routesWithSource");
        List<SourceRoute> list = new ArrayList<>();
        sourceRoutes.forEach((route, src) -> {
            if (source.equals(src)) {
                list.add(new SourceRoute(route, "mem:" + route));
            }
        });
        return list;
    }

    @Override
    public synchronized void setRouteSource(SourceRoute route, InetAddress source) {
        failIfAsked("setRouteSource");
        if (states.get(source) != AddressState.USABLE) {
            throw new NetworkException("set source " + IpLiterals.format(source) + " on " + route.text()
                    + ": Invalid source address (EINVAL)", 22);
        }
        sourceRoutes.put(route.key().substring("mem:".length()), source);
    }

    @Override
    public synchronized List<AddressRule> rulesSelecting(InetAddress address) {
        failIfAsked("rulesSelecting");
        return rules.stream().filter(r -> r.selects(address)).map(r -> r.listedFor(address)).toList();
    }

    @Override
    public synchronized void addRuleSelecting(AddressRule rule, InetAddress address) {
        failIfAsked("addRuleSelecting");
        Rule added = Rule.of(rule, address);
        if (!rules.contains(added)) {
            rules.add(added);
        }
    }

    @Override
    public synchronized void deleteRuleSelecting(AddressRule rule, InetAddress address) {
        failIfAsked("deleteRuleSelecting");
        rules.remove(Rule.of(rule, address));
    }

    @Override
    public synchronized void setConnectedRouteSource(String interfaceName, InterfaceAddress subnet, InetAddress source) {
        failIfAsked("setConnectedRouteSource");
        routeSources.put(routeKey(interfaceName, subnet), source);
    }

    @Override
    public synchronized void deleteConnectedRoute(String interfaceName, InterfaceAddress subnet) {
        failIfAsked("deleteConnectedRoute");
        routeSources.remove(routeKey(interfaceName, subnet));
    }

    @Override
    public synchronized InetAddress connectedRouteSource(String interfaceName, InterfaceAddress subnet) {
        return routeSources.get(routeKey(interfaceName, subnet));
    }

    @Override
    public synchronized InetAddress localRouteSource(String interfaceName, InetAddress local) {
        nic(interfaceName);
        return localRoutes.source(interfaceName, local);
    }

    @Override
    public synchronized void setLocalRouteSource(String interfaceName, InetAddress local, InetAddress source) {
        failIfAsked("setLocalRouteSource");
        nic(interfaceName);
        localRoutes.set(interfaceName, local, source);
    }

    @Override
    public synchronized void deleteLocalRoute(String interfaceName, InetAddress local, InetAddress source) {
        failIfAsked("deleteLocalRoute");
        nic(interfaceName);
        localRoutes.delete(interfaceName, local, source);
    }

    @Override
    public synchronized boolean promoteSecondaries(String interfaceName) {
        nic(interfaceName);
        return promote.getOrDefault(interfaceName, false);
    }

    @Override
    public synchronized void setPromoteSecondaries(String interfaceName, boolean enabled) {
        failIfAsked("setPromoteSecondaries");
        nic(interfaceName);
        promote.put(interfaceName, enabled);
    }

    private void settle(InetAddress address, AddressState state) {
        synchronized (this) {
            if (states.get(address) != AddressState.TENTATIVE) {
                throw new IllegalStateException(IpLiterals.format(address) + " is not tentative but "
                        + states.get(address));
            }
            states.put(address, state);
            releaseWaiters();
        }
    }

    /** Completes the waits whose address is no longer tentative (or all, once DAD "times out"). */
    private void releaseWaiters() {
        waiters.removeIf(w -> w.future.isDone());
        for (Waiter w : List.copyOf(waiters)) {
            AddressState state = states.getOrDefault(w.address, AddressState.ABSENT);
            if (state != AddressState.TENTATIVE || dadTimesOut) {
                waiters.remove(w);
                w.future.complete(state);
            }
        }
    }

    private void failIfAsked(String operation) {
        Failure planned = failures.remove(operation);
        if (planned == null) {
            return;
        }
        if (planned.successesLeft > 0) {
            failures.put(operation, new Failure(planned.successesLeft - 1, planned.failure));
            return;
        }
        throw planned.failure;
    }

    private List<InterfaceAddress> nic(String name) {
        List<InterfaceAddress> list = interfaces.get(name);
        if (list == null) {
            throw new IllegalArgumentException("unknown interface " + name);
        }
        return list;
    }

    /**
     * The connected route the kernel makes for an address: for IPv4 with the address as its preferred source
     * ({@code fib_add_ifaddr}); an IPv6 prefix route names no source.
     */
    private void addConnectedRoute(String interfaceName, InterfaceAddress address) {
        if (address.isIpv4()) {
            routeSources.putIfAbsent(routeKey(interfaceName, address), address.address());
        }
    }

    /** The primary of {@code address}'s subnet on the interface: the first of the subnet in the kernel's order. */
    private static InterfaceAddress primary(List<InterfaceAddress> list, InterfaceAddress address) {
        return list.stream().filter(a -> a.isIpv4() && a.sameSubnet(address)).findFirst().orElse(address);
    }

    private static String routeKey(String interfaceName, InterfaceAddress subnet) {
        return interfaceName + " " + subnet.network().getHostAddress() + "/" + subnet.prefixLength();
    }
}
