package org.renumber.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.InterfaceAddress;
import org.renumber.monitor.InterfaceMonitor;
import org.renumber.testing.InMemoryAddressEvents;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemorySettingsStore;

/** The InterfaceMonitor's listInterfaces operation, invoked through the MBeanServer as a JMX client would. */
class InterfaceTableTest {

    private final ServiceFixture fixture = new ServiceFixture();
    private final InMemoryNetwork network = fixture.network;
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private JmxAdapter adapter;
    private InterfaceMonitor monitor;

    @BeforeEach
    void export() {
        network.addAddress("v0", InterfaceAddress.parse("2001:db8:9::1/64"));
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        monitor = new InterfaceMonitor(new InMemoryAddressEvents(network, Clock.systemUTC()), fixture.service,
                fixture.tracker, new InMemorySettingsStore(), Clock.systemUTC());
        adapter.exportInterfaceMonitor(monitor, network);
    }

    @AfterEach
    void close() {
        monitor.close();
        adapter.close();
        fixture.close();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> listInterfaces() throws Exception {
        return (List<Map<String, Object>>) server.invoke(MBeanNames.INTERFACE_MONITOR, "listInterfaces",
                new Object[0], new String[0]);
    }

    @Test
    void everyInterfaceIsListedWithItsAddressesAndTheirState() throws Exception {
        List<Map<String, Object>> interfaces = listInterfaces();

        assertThat(interfaces).extracting(i -> i.get("name")).containsExactly("v0", "v1");
        assertThat(addresses(interfaces.get(1))).extracting(a -> a.get("address")).containsExactly("10.20.0.1/24");
        List<Map<String, Object>> v0 = addresses(interfaces.get(0));
        assertThat(v0).extracting(a -> a.get("address")).containsExactly("10.9.0.1/24", "2001:db8:9::1/64");
        assertThat(v0.get(0)).containsEntry("family", "inet").containsEntry("state", "USABLE")
                .containsEntry("tentative", false).containsEntry("deprecated", false)
                .containsEntry("preferredLifetime", "forever").containsEntry("validLifetime", "forever");
    }

    @Test
    void aDeprecatedAndATentativeIpv6AddressAreFlagged() throws Exception {
        network.setLifetimes("v0", InterfaceAddress.parse("2001:db8:9::1/64"), new AddressLifetimes(0, 3600));
        network.holdDad().addAddress("v0", InterfaceAddress.parse("2001:db8:9::7/64"));

        List<Map<String, Object>> v0 = addresses(listInterfaces().get(0));

        assertThat(v0.get(1)).containsEntry("address", "2001:db8:9::1/64").containsEntry("family", "inet6")
                .containsEntry("deprecated", true).containsEntry("tentative", false)
                .containsEntry("preferredLifetime", "0sec").containsEntry("validLifetime", "3600sec");
        assertThat(v0.get(2)).containsEntry("address", "2001:db8:9::7/64").containsEntry("state", "TENTATIVE")
                .containsEntry("tentative", true).containsEntry("deprecated", false);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> addresses(Map<String, Object> nic) {
        return (List<Map<String, Object>>) nic.get("addresses");
    }
}
