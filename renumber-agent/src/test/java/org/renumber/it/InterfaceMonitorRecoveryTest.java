package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ChangeState;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetworkException;
import org.renumber.domain.port.AddressEventSource;
import org.renumber.domain.port.KernelPorts;
import org.renumber.jmx.JmxAdapter;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.NftablesGuard;
import org.renumber.linux.rtnl.NetlinkNetworkControl;
import org.renumber.linux.rtnl.RtnetlinkAddressEvents;
import org.renumber.linux.sockdiag.SockDiagConnectionTracker;
import org.renumber.linux.sockdiag.SockDiagSocketInventory;
import org.renumber.linux.sockdiag.SockDiagSocketKiller;
import org.renumber.monitor.InterfaceMonitor;
import org.renumber.process.ProcfsSocketOwners;
import org.renumber.service.AddressChangeService;
import org.renumber.service.SubscriberRegistry;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemorySettings;
import org.renumber.testing.InMemorySettingsStore;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/**
 * The interface monitor over the real rtnetlink reader in namespace A, its MBean on an MBean server with a real
 * notification listener. The reader fails once on the first batch it reads, through its own error path (report
 * the failure, close the sockets), as on any error other than ENOBUFS; the monitor must open a new socket, catch
 * up from a dump, and still recognise a renumbering done with {@code ip}.
 */
@KernelTest
class InterfaceMonitorRecoveryTest {

    private static final String MARKER = "2001:db8:5::5/64";

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final List<Notification> notifications = new CopyOnWriteArrayList<>();
    private NetNsFixture net;
    private AddressChangeService service;
    private InterfaceMonitor monitor;

    @BeforeEach
    void startMonitorOnTheRealKernel() throws Exception {
        net = keep(NetNsFixture.create("rn-test-mon-"));
        LinuxNetns netns = keep(LinuxNetns.open(net.a()));
        SockDiagConnectionTracker tracker = keep(new SockDiagConnectionTracker(netns));
        KernelPorts kernel = new KernelPorts(keep(new NetlinkNetworkControl(netns)), tracker, new NftablesGuard(netns),
                keep(new SockDiagSocketKiller(netns)), new ProcfsSocketOwners());
        InMemoryJournal journal = new InMemoryJournal();
        service = keep(new AddressChangeService(kernel, journal, new InMemorySettings(), new SubscriberRegistry(journal),
                Clock.systemUTC()));
        JmxAdapter adapter = keep(JmxAdapter.export(server, service, tracker,
                keep(new SockDiagSocketInventory(netns))));
        service.start();
        monitor = keep(new InterfaceMonitor(new FailingOnFirstBatch(new RtnetlinkAddressEvents(netns, Clock.systemUTC())),
                service, tracker, new InMemorySettingsStore(), Clock.systemUTC()));
        adapter.exportInterfaceMonitor(monitor, kernel.network());
        server.addNotificationListener(MBeanNames.INTERFACE_MONITOR, (n, handback) -> notifications.add(n), null, null);
        monitor.start();
    }

    @AfterEach
    void closeEverything() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                // the namespaces must go even if something before them fails to close
            }
        }
    }

    @Test
    void afterTheReaderFailsTheMonitorReopensCatchesUpAndStillDetectsAnIpRenumbering() throws Exception {
        assertEquals(true, server.getAttribute(MBeanNames.INTERFACE_MONITOR, "Listening"));
        // The batch the reader fails on; IPv6, so it cannot pair with the IPv4 renumbering below.
        ip("addr", "add", MARKER, "dev", "v0", "nodad");

        CompositeData failed = awaitNotification("renumber.monitor.failed");
        assertThat((String) failed.get("reason")).contains("forced");
        assertEquals(100L, failed.get("retryInMillis"));
        CompositeData recovered = awaitNotification("renumber.monitor.recovered");
        assertEquals(failed.get("failedAt"), recovered.get("failedAt"));
        assertEquals(1, recovered.get("attempts"));
        await().until(() -> List.of(pendingSteps()).stream().anyMatch(l -> l.endsWith("v0: " + InterfaceAddress.parse(MARKER) + " added")));
        assertEquals(true, server.getAttribute(MBeanNames.INTERFACE_MONITOR, "Listening"));
        assertEquals("", server.getAttribute(MBeanNames.INTERFACE_MONITOR, "LastError"));

        ip("addr", "del", "10.9.0.1/24", "dev", "v0");
        ip("addr", "add", "10.9.1.1/24", "brd", "+", "dev", "v0");
        ip("addr", "add", "10.9.0.1/24", "brd", "+", "dev", "v0", "label", "v0:0");

        CompositeData changed = awaitNotification("renumber.interface.changed");
        assertEquals("10.9.0.1/24", changed.get("oldAddress"));
        assertEquals("10.9.1.1/24", changed.get("newAddress"));
        assertEquals("v0:0", changed.get("aliasLabel"));
        assertEquals("", changed.get("error"));
        assertEquals(ChangeState.COMPLETED, service.awaitChange((String) changed.get("changeId"), 30));
        assertThat(notifications).extracting(Notification::getType).containsExactly("renumber.monitor.failed",
                "renumber.monitor.recovered", "renumber.interface.changed");
    }

    private String[] pendingSteps() throws Exception {
        return (String[]) server.getAttribute(MBeanNames.INTERFACE_MONITOR, "PendingSteps");
    }

    private CompositeData awaitNotification(String type) {
        await().until(() -> notifications.stream().anyMatch(n -> n.getType().equals(type)));
        return notifications.stream().filter(n -> n.getType().equals(type)).findFirst()
                .map(n -> (CompositeData) n.getUserData()).orElseThrow();
    }

    private void ip(String... args) {
        net.ip(net.a(), args);
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.push(resource);
        return resource;
    }

    /**
     * The real source, except that the first batch of events it delivers throws: the reader's thread then stops the
     * way it does on a socket error.
     */
    private static final class FailingOnFirstBatch implements AddressEventSource {
        private final AddressEventSource real;
        private final AtomicBoolean armed = new AtomicBoolean(true);

        FailingOnFirstBatch(AddressEventSource real) {
            this.real = real;
        }

        @Override
        public Watch watch(Sink sink) {
            return real.watch(new Sink() {
                @Override
                public void snapshot(List<ConfiguredAddress> configured) {
                    sink.snapshot(configured);
                }

                @Override
                public void events(List<AddressEvent> batch) {
                    if (armed.compareAndSet(true, false)) {
                        throw new NetworkException("forced: receive address events failed: EIO (I/O error)", 5);
                    }
                    sink.events(batch);
                }

                @Override
                public void failed(RuntimeException cause) {
                    sink.failed(cause);
                }
            });
        }

        @Override
        public String toString() {
            return real.toString();
        }
    }
}
