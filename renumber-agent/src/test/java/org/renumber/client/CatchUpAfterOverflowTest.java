package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.remote.JMXConnectionNotification;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;
import org.renumber.domain.ChangeState;
import org.renumber.jmx.JmxAdapter;
import org.renumber.jmx.JmxRemoteServer;
import org.renumber.jmx.ServiceFixture;
import org.renumber.jmx.SocketPlace;
import org.renumber.security.Credentials;

/**
 * The client library over the real RMI connector with a forced overflow: a 2-notification connector buffer and
 * 40 subscriptions listened to through one connection, so each change's 120 notifications cannot all reach the
 * client. Every handler still gets every event exactly once, in order, read back by sequence number.
 */
class CatchUpAfterOverflowTest {

    private static final int BUFFER = 2;
    private static final int SUBSCRIBERS = 40;
    private static final int CHANGES = 4;

    private final Credentials credentials = new Credentials("operator", "pw-" + System.nanoTime());
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ServiceFixture fixture = new ServiceFixture();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private JmxAdapter adapter;
    private JmxRemoteServer remote;

    @BeforeEach
    void startAgent() throws Exception {
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        fixture.start();
        remote = JmxRemoteServer.start(server, "127.0.0.1", 0, credentials, BUFFER, SocketPlace.HERE, "");
    }

    @AfterEach
    void stopAgent() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        remote.close();
        adapter.close();
        fixture.close();
    }

    @Test
    void everyHandlerGetsEveryEventOnceInOrderThoughTheConnectorDroppedNotifications() throws Exception {
        AddressChangeClient client = AddressChangeClient.builder(remote.url())
                .credentials(credentials.user(), credentials.password()).connect();
        resources.add(client);
        List<List<String>> handled = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            List<String> calls = new CopyOnWriteArrayList<>();
            handled.add(calls);
            client.subscribe("app" + i, "", "", new AddressChangeHandler() {
                @Override
                public void started(AddressChangeEvent event) {
                    calls.add("started " + event.changeId());
                }

                @Override
                public void drained(AddressChangeEvent event) {
                    calls.add("drained " + event.changeId());
                }

                @Override
                public void completed(AddressChangeEvent event) {
                    calls.add("completed " + event.changeId());
                }
            });
        }
        // A plain listener on the same connector shows that notifications were really dropped.
        AtomicInteger lost = new AtomicInteger();
        JMXConnector observer = JMXConnectorFactory.connect(remote.url(),
                Map.of(JMXConnector.CREDENTIALS, new String[] {credentials.user(), credentials.password()}));
        resources.add(0, observer);
        observer.addConnectionNotificationListener((n, h) -> {
            if (n.getType().equals(JMXConnectionNotification.NOTIFS_LOST)) {
                lost.incrementAndGet();
            }
        }, null, null);
        observer.getMBeanServerConnection().addNotificationListener(MBeanNames.subscription("app0"), (n, h) -> { },
                null, null);

        List<String> expected = new ArrayList<>();
        String[] addresses = {"10.9.0.1", "10.9.1.1"};
        for (int i = 0; i < CHANGES; i++) {
            String id = fixture.service.changeAddress("v0", addresses[i % 2], addresses[(i + 1) % 2] + "/24", "", 30);
            assertThat(fixture.service.awaitChange(id, 10)).isEqualTo(ChangeState.COMPLETED);
            expected.addAll(List.of("started " + id, "drained " + id, "completed " + id));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> handled.stream()
                .allMatch(calls -> calls.size() >= expected.size()));
        await().atMost(Duration.ofSeconds(30)).until(() -> lost.get() > 0);
        for (List<String> calls : handled) {
            assertThat(calls).containsExactlyElementsOf(expected);
        }
    }
}
