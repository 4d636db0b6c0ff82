package org.renumber.domain;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/** A snapshot of one network interface and the addresses configured on it, in kernel order. */
public record NetInterface(int index, String name, List<InterfaceAddress> addresses) {

    public NetInterface {
        addresses = List.copyOf(addresses);
    }

    public Optional<InterfaceAddress> find(InetAddress address) {
        return addresses.stream().filter(a -> a.address().equals(address)).findFirst();
    }
}
