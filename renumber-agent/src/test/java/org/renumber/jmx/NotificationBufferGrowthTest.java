package org.renumber.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnectionNotification;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;
import org.renumber.domain.ChangeState;
import org.renumber.security.Credentials;

/**
 * The connector's notification buffer follows the subscriptions made after the start. The connector starts with a
 * buffer of 8 (what an agent with no journaled subscription would size far larger, but the JDK fixes it at the
 * first client); then 1,000 subscriptions are made and listened to by plain listeners on 20 real remote
 * connections, and one change goes to all of them: 3,000 notifications at once, with no catch-up to hide a loss.
 * Every listener must get started, drained and completed, and no connection may report lost notifications.
 */
class NotificationBufferGrowthTest {

    private static final int START_BUFFER = 8;
    private static final int SUBSCRIPTIONS = 1_000;
    private static final int CONNECTIONS = 20;

    private final Credentials credentials = new Credentials("operator", "pw-" + System.nanoTime());
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ServiceFixture fixture = new ServiceFixture();
    private final List<JMXConnector> clients = new ArrayList<>();
    private JmxAdapter adapter;
    private JmxRemoteServer remote;

    @BeforeEach
    void start() throws Exception {
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        fixture.start();
        remote = JmxRemoteServer.start(server, "127.0.0.1", 0, credentials, START_BUFFER, SocketPlace.HERE, "");
        remote.follow(fixture.service.subscribers());
    }

    @AfterEach
    void stop() throws Exception {
        for (JMXConnector client : clients) {
            client.close();
        }
        remote.close();
        adapter.close();
        fixture.close();
    }

    @Test
    void subscriptionsMadeAfterTheStartGrowTheBufferSoAForcedFanOutLosesNoStarted() throws Exception {
        // A client connects first: from here on the JDK's buffer exists with the size asked at the start.
        List<MBeanServerConnection> connections = new ArrayList<>();
        AtomicInteger lost = new AtomicInteger();
        for (int i = 0; i < CONNECTIONS; i++) {
            JMXConnector client = JMXConnectorFactory.connect(remote.url(),
                    Map.of(JMXConnector.CREDENTIALS, new String[] {credentials.user(), credentials.password()}));
            clients.add(client);
            client.addConnectionNotificationListener((n, h) -> {
                if (n.getType().equals(JMXConnectionNotification.NOTIFS_LOST)) {
                    lost.incrementAndGet();
                }
            }, null, null);
            connections.add(client.getMBeanServerConnection());
        }
        assertThat(remote.bufferSize()).isEqualTo(START_BUFFER);

        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            fixture.service.subscribers().subscribe("app" + i, "", "");
        }
        assertThat(remote.bufferSize()).isGreaterThanOrEqualTo(JmxRemoteServer.notificationBufferSize(SUBSCRIPTIONS));

        Map<String, List<String>> received = new ConcurrentHashMap<>();
        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            String id = "app" + i;
            List<String> types = Collections.synchronizedList(new ArrayList<>());
            received.put(id, types);
            connections.get(i % CONNECTIONS).addNotificationListener(MBeanNames.subscription(id),
                    (Notification n, Object h) -> types.add(n.getType() + " "
                            + ((CompositeData) n.getUserData()).get("changeId")), null, null);
        }

        String change = fixture.service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 30);
        assertThat(fixture.service.awaitChange(change, 30)).isEqualTo(ChangeState.COMPLETED);

        List<String> expected = List.of("renumber.change.started " + change, "renumber.change.drained " + change,
                "renumber.change.completed " + change);
        await().atMost(Duration.ofSeconds(120)).until(() -> lost.get() > 0
                || received.values().stream().allMatch(types -> types.size() >= expected.size()));
        assertThat(lost).as("connections that reported lost notifications").hasValue(0);
        received.forEach((id, types) -> assertThat(types).as(id).containsExactlyElementsOf(expected));
    }
}
