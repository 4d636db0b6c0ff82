package org.renumber.jmx;

import org.renumber.api.MBeanNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The MBeans follow the service: subscriptions come and go, changes leave with the history. */
class AdapterLifecycleTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ServiceFixture fixture = new ServiceFixture();
    private JmxAdapter adapter;

    @AfterEach
    void close() {
        if (adapter != null) {
            adapter.close();
        }
        fixture.close();
    }

    @Test
    void subscriptionMBeanFollowsItsSubscription() throws Exception {
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        fixture.start();
        fixture.service.subscribers().subscribe("app1", "web", "10.9.0.1");
        ObjectName name = MBeanNames.subscription("app1");
        assertThat(server.getAttribute(name, "Group")).isEqualTo("web");
        assertThat(server.getAttribute(name, "Scope")).isEqualTo("10.9.0.1");

        fixture.service.subscribers().unsubscribe("app1");
        assertThat(server.isRegistered(name)).isFalse();

        fixture.service.subscribers().subscribe("app1", "", "");
        List<Notification> received = new CopyOnWriteArrayList<>();
        server.addNotificationListener(name, (n, h) -> received.add(n), null, null);
        String id = fixture.service.changeAddress("v0", "10.9.0.1", "10.9.1.1", "app1", 60);
        fixture.service.awaitChange(id, 10);
        await().until(() -> received.size() == 3);
    }

    @Test
    void subscriptionsAndChangesThatExistedBeforeExportArePublished() throws Exception {
        fixture.start();
        fixture.service.subscribers().subscribe("early", "", "");
        String id = fixture.service.changeAddress("v0", "10.9.0.1", "10.9.1.1", "", 60);
        fixture.service.awaitChange(id, 10);

        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        assertThat(server.isRegistered(MBeanNames.subscription("early"))).isTrue();
        assertThat(server.getAttribute(MBeanNames.change(id), "State")).isEqualTo("COMPLETED");
    }

    @Test
    void changesLeavingTheHistoryAreUnregistered() throws Exception {
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        fixture.start();
        List<String> ids = new ArrayList<>();
        String current = "10.9.0.1";
        for (int i = 0; i < 51; i++) {
            String next = current.equals("10.9.0.1") ? "10.9.0.2" : "10.9.0.1";
            String id = fixture.service.changeAddress("v0", current, next, "", 60);
            fixture.service.awaitChange(id, 10);
            // awaitChange returns before the service retires the change; a new one on v0 waits for that.
            await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                    .until(() -> fixture.service.activeChanges().isEmpty());
            ids.add(id);
            current = next;
        }
        await().until(() -> !server.isRegistered(MBeanNames.change(ids.get(0))));
        assertThat(server.isRegistered(MBeanNames.change(ids.get(50)))).isTrue();
        assertThat(server.queryNames(new ObjectName("renumber:type=AddressChange,*"), null)).hasSize(50);
    }
}
