package org.renumber.testing;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetInterface;
import org.renumber.domain.NetworkControl;
import org.renumber.domain.NetworkException;

/**
 * A kernel stand-in for unit tests of the domain and the adapters above it. It models the IPv4 trap that
 * matters here: deleting a primary without promote_secondaries deletes the secondaries of its subnet.
 */
public final class InMemoryNetwork implements NetworkControl {

    private final Map<String, List<InterfaceAddress>> interfaces = new LinkedHashMap<>();
    private final Map<String, InetAddress> routeSources = new HashMap<>();
    private final Map<String, Boolean> promote = new HashMap<>();
    private volatile RuntimeException failNextAdd;

    public synchronized InMemoryNetwork withInterface(String name, String... addresses) {
        List<InterfaceAddress> list = new ArrayList<>();
        for (String a : addresses) {
            InterfaceAddress address = InterfaceAddress.parse(a);
            list.add(address);
            routeSources.putIfAbsent(routeKey(name, address), address.address());
        }
        interfaces.put(name, list);
        return this;
    }

    public void failNextAdd(RuntimeException failure) {
        this.failNextAdd = failure;
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
        RuntimeException failure = failNextAdd;
        if (failure != null) {
            failNextAdd = null;
            throw failure;
        }
        List<InterfaceAddress> list = nic(interfaceName);
        if (list.stream().anyMatch(a -> a.address().equals(address.address()))) {
            throw new NetworkException("add " + address + ": File exists", 17);
        }
        list.add(address);
        routeSources.putIfAbsent(routeKey(interfaceName, address), address.address());
    }

    @Override
    public synchronized void removeAddress(String interfaceName, InterfaceAddress address) {
        List<InterfaceAddress> list = nic(interfaceName);
        int index = list.indexOf(address);
        if (index < 0) {
            throw new NetworkException("delete " + address + ": Cannot assign requested address", 99);
        }
        boolean primary = list.stream().filter(a -> a.isIpv4() && a.sameSubnet(address)).findFirst()
                .map(address::equals).orElse(false);
        list.remove(index);
        if (primary && !promote.getOrDefault(interfaceName, false)) {
            list.removeIf(a -> a.isIpv4() && a.sameSubnet(address));
        }
        if (list.stream().noneMatch(a -> a.sameSubnet(address))) {
            routeSources.remove(routeKey(interfaceName, address));
        }
    }

    @Override
    public synchronized void setConnectedRouteSource(String interfaceName, InterfaceAddress subnet, InetAddress source) {
        routeSources.put(routeKey(interfaceName, subnet), source);
    }

    @Override
    public synchronized void deleteConnectedRoute(String interfaceName, InterfaceAddress subnet) {
        routeSources.remove(routeKey(interfaceName, subnet));
    }

    @Override
    public synchronized InetAddress connectedRouteSource(String interfaceName, InterfaceAddress subnet) {
        return routeSources.get(routeKey(interfaceName, subnet));
    }

    @Override
    public synchronized boolean promoteSecondaries(String interfaceName) {
        nic(interfaceName);
        return promote.getOrDefault(interfaceName, false);
    }

    @Override
    public synchronized void setPromoteSecondaries(String interfaceName, boolean enabled) {
        nic(interfaceName);
        promote.put(interfaceName, enabled);
    }

    private List<InterfaceAddress> nic(String name) {
        List<InterfaceAddress> list = interfaces.get(name);
        if (list == null) {
            throw new IllegalArgumentException("unknown interface " + name);
        }
        return list;
    }

    private static String routeKey(String interfaceName, InterfaceAddress subnet) {
        return interfaceName + " " + subnet.network().getHostAddress() + "/" + subnet.prefixLength();
    }
}
