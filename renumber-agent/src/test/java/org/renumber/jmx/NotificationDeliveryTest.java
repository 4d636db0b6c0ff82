package org.renumber.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnectionNotification;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;
import org.renumber.security.Credentials;

/**
 * Delivery at scale over the real RMI connector: a connector buffer far smaller than the notifications a change
 * sends to all its subscriptions still carries every notification of the one that is listened to, and whatever a
 * listener missed can be read back by sequence number.
 */
class NotificationDeliveryTest {

    /** Far fewer than the 3 notifications per subscription a change sends to 300 subscriptions. */
    private static final int BUFFER = 8;
    private static final int SUBSCRIPTIONS = 300;
    private static final String[] PENDING = {String.class.getName(), "long"};

    private final Credentials credentials = new Credentials("operator", "pw-" + System.nanoTime());
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ServiceFixture fixture = new ServiceFixture();
    private JmxAdapter adapter;
    private JmxRemoteServer remote;
    private JMXConnector client;
    private MBeanServerConnection connection;
    private final List<Notification> connectorReports = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        fixture.start();
        remote = JmxRemoteServer.start(server, "127.0.0.1", 0, credentials, BUFFER, SocketPlace.HERE, "");
        client = JMXConnectorFactory.connect(remote.url(),
                Map.of(JMXConnector.CREDENTIALS, new String[] {credentials.user(), credentials.password()}));
        client.addConnectionNotificationListener((n, h) -> connectorReports.add(n), null, null);
        connection = client.getMBeanServerConnection();
        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            fixture.service.subscribers().subscribe("app" + i, "", "");
        }
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        remote.close();
        adapter.close();
        fixture.close();
    }

    @Test
    void theListenedSubscriptionGetsEveryEventWhileThreeHundredOthersAreNotListenedTo() throws Exception {
        List<Notification> received = listen(MBeanNames.subscription("app7"));
        long before = (Long) connection.getAttribute(MBeanNames.subscription("app7"), "Sequence");

        String id = fixture.service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 30);

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 3);
        assertThat(received).extracting(Notification::getType).containsExactly("renumber.change.started",
                "renumber.change.drained", "renumber.change.completed");
        assertThat(received).extracting(n -> ((CompositeData) n.getUserData()).get("sequence"))
                .containsExactly(before + 1, before + 2, before + 3);
        assertThat(received).extracting(n -> ((CompositeData) n.getUserData()).get("changeId")).containsOnly(id);
        assertThat(connectorReports).extracting(Notification::getType)
                .doesNotContain(JMXConnectionNotification.NOTIFS_LOST);
    }

    @Test
    void pendingEventsReturnsWhatASubscriberWasSentAfterASequenceNumberOldestFirst() throws Exception {
        long before = (Long) connection.getAttribute(MBeanNames.subscription("app3"), "Sequence");
        String first = fixture.service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "app3", 30);
        fixture.service.awaitChange(first, 10);
        String second = fixture.service.changeAddress("v0", "10.9.1.1", "10.9.0.1/24", "app3,app4", 30);
        fixture.service.awaitChange(second, 10);

        CompositeData[] all = pending("app3", before);
        CompositeData[] lastTwo = pending("app3", before + 4);
        CompositeData[] app4 = pending("app4", -1);

        assertThat(all).extracting(e -> e.get("sequence")).containsExactly(before + 1, before + 2, before + 3,
                before + 4, before + 5, before + 6);
        assertThat(all).extracting(e -> e.get("notificationType")).containsExactly("renumber.change.started",
                "renumber.change.drained", "renumber.change.completed", "renumber.change.started",
                "renumber.change.drained", "renumber.change.completed");
        assertThat(all).extracting(e -> e.get("changeId")).containsExactly(first, first, first, second, second,
                second);
        assertThat(lastTwo).extracting(e -> e.get("sequence")).containsExactly(before + 5, before + 6);
        assertThat(app4).extracting(e -> e.get("changeId")).containsOnly(second).hasSize(3);
        assertThat((String) app4[0].get("message")).contains("is usable");
        assertThat(connection.getAttribute(MBeanNames.subscription("app3"), "Sequence")).isEqualTo(before + 6);
        MBeanException unknown = assertThrows(MBeanException.class, () -> pending("nobody", 0));
        assertThat(unknown.getTargetException().getMessage()).contains("no subscriber with id 'nobody'");
    }

    @Test
    void aRestartedAgentNumbersAboveEveryNumberOfTheRunBefore() throws Exception {
        String id = fixture.service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "app1", 30);
        fixture.service.awaitChange(id, 10);
        long lastOfFirstRun = (Long) connection.getAttribute(MBeanNames.subscription("app1"), "Sequence");
        adapter.close();

        try (JmxAdapter restarted = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets)) {
            assertThat((Long) server.getAttribute(MBeanNames.subscription("app1"), "Sequence"))
                    .isGreaterThan(lastOfFirstRun);
        }
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
    }

    private CompositeData[] pending(String subscriberId, long after) throws Exception {
        return (CompositeData[]) connection.invoke(MBeanNames.SERVICE, "pendingEvents",
                new Object[] {subscriberId, after}, PENDING);
    }

    private List<Notification> listen(ObjectName name) throws Exception {
        List<Notification> received = new CopyOnWriteArrayList<>();
        connection.addNotificationListener(name, (n, h) -> received.add(n), null, null);
        return received;
    }
}
