package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetInterface;
import org.renumber.domain.NetworkException;
import org.renumber.domain.port.NetworkControl;

/**
 * The managed namespace's interfaces and their addresses as the InterfaceMonitor's {@code listInterfaces} operation returns them:
 * lists and maps of JDK types only, so that Jolokia renders JSON objects and any JMX client can read them. Each
 * read asks the kernel afresh.
 */
final class InterfaceTable {

    private final NetworkControl network;

    InterfaceTable(NetworkControl network) {
        this.network = requireNonNull(network, "network");
    }

    /** One map per interface: name, index, addresses (each: address, family, state, tentative, deprecated, ...). */
    List<Map<String, Object>> read() {
        List<Map<String, Object>> result = new ArrayList<>();
        for (NetInterface nic : network.interfaces()) {
            List<Map<String, Object>> addresses = new ArrayList<>();
            for (InterfaceAddress address : nic.addresses()) {
                addresses.add(describe(nic.name(), address));
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", nic.name());
            row.put("index", nic.index());
            row.put("addresses", addresses);
            result.add(row);
        }
        return result;
    }

    private Map<String, Object> describe(String interfaceName, InterfaceAddress address) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("address", address.toString());
        row.put("family", address.isIpv4() ? "inet" : "inet6");
        // The address may go between the dump and these looks (a change removing it): then it is ABSENT.
        AddressState state;
        AddressLifetimes lifetimes;
        try {
            state = network.awaitUsable(interfaceName, address, Duration.ZERO).getNow(AddressState.TENTATIVE);
            lifetimes = network.lifetimes(interfaceName, address);
        } catch (NetworkException e) {
            state = AddressState.ABSENT;
            lifetimes = null;
        }
        row.put("state", state.name());
        row.put("tentative", state == AddressState.TENTATIVE);
        row.put("deprecated", lifetimes != null && lifetimes.isDeprecated());
        row.put("preferredLifetime", lifetimes == null ? "" : lifetime(lifetimes.preferredSeconds()));
        row.put("validLifetime", lifetimes == null ? "" : lifetime(lifetimes.validSeconds()));
        return row;
    }

    private static String lifetime(long seconds) {
        return seconds == AddressLifetimes.FOREVER ? "forever" : seconds + "sec";
    }
}
