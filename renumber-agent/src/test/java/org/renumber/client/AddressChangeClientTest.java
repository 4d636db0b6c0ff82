package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.ChangeState;
import org.renumber.jmx.JmxAdapter;
import org.renumber.jmx.JmxRemoteServer;
import org.renumber.jmx.ServiceFixture;
import org.renumber.security.Credentials;

/**
 * The client against the agent's real MBeans and JMX connector (service on the in-memory kernel): what an
 * application receives, and what happens when the connector goes away and comes back.
 */
class AddressChangeClientTest {

    private static final String OLD = "10.9.0.1";
    private static final InetAddress OLD_ADDRESS = address(OLD);

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
        remote = JmxRemoteServer.start(server, "127.0.0.1", 0, credentials);
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
    void eventsArriveInTheAgentsOrderOnTheClientsOwnThreadAndThePidIsRecorded() throws Exception {
        Recorder handler = new Recorder();
        AddressChangeClient client = remoteClient(new Connections());
        client.subscribe("app", "web", "", handler);

        String id = fixture.service.changeAddress("v0", OLD, "10.9.1.1/24", "app", 30);

        await().until(() -> handler.events.size() == 3);
        assertThat(handler.events).containsExactly("started " + id, "drained " + id, "completed " + id);
        assertThat(handler.threads).containsOnly("renumber-client-events");
        assertEquals(ProcessHandle.current().pid(), server.getAttribute(name("app"), "Pid"));
        assertThat(fixture.service.subscribers().find("app").orElseThrow().pid())
                .isEqualTo(ProcessHandle.current().pid());
        AddressChangeEvent started = handler.received.get(0);
        assertEquals("10.9.0.1/24", started.oldAddress());
        assertEquals(address("10.9.1.1"), started.newInetAddress());
        assertEquals("v0", started.interfaceName());
        assertThat(started.deadline()).isAfter(started.startedAt());
    }

    @Test
    void anExistingSubscriptionIsReusedWhenGroupAndScopeMatchAndRefusedOtherwise() throws Exception {
        fixture.service.subscribers().subscribe("app", "web", "10.9.0.1");
        fixture.service.subscribers().subscribe("other", "db", "");
        AddressChangeClient client = remoteClient(new Connections());
        Recorder handler = new Recorder();

        client.subscribe("app", "web", "10.9.0.1", handler);
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> client.subscribe("other", "web", "", new Recorder()));
        IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class,
                () -> client.subscribe("bad id!", "", "", new Recorder()));

        assertThat(refused.getMessage()).contains("already subscribed with group 'db'", "unsubscribe it first");
        assertThat(invalid.getMessage()).contains("subscriber id 'bad id!' is invalid");
        assertThat(fixture.service.subscribers().all()).hasSize(2);
        String id = fixture.service.changeAddress("v0", OLD, "10.9.1.1/24", "app", 30);
        await().until(() -> handler.events.contains("completed " + id));
    }

    @Test
    void afterTheConnectorComesBackTheClientResubscribesByItselfAndReceivesTheNextChange() throws Exception {
        Connections connections = new Connections();
        Recorder handler = new Recorder();
        AddressChangeClient client = remoteClient(connections);
        client.subscribe("app", "web", "", handler);
        int port = remote.port();

        remote.close();
        await().until(() -> connections.log.contains("disconnected"));
        // The agent lost the subscription while the client was away (e.g. a fresh state directory).
        fixture.service.subscribers().unsubscribe("app");
        remote = JmxRemoteServer.start(server, "127.0.0.1", port, credentials);

        await().atMost(Duration.ofSeconds(30)).until(() -> connections.log.contains("reconnected"));
        assertThat(client.isConnected()).isTrue();
        assertThat(fixture.service.subscribers().find("app").orElseThrow().group()).isEqualTo("web");
        String id = fixture.service.changeAddress("v0", OLD, "10.9.1.1/24", "group:web", 30);
        await().until(() -> handler.events.contains("completed " + id));
        assertThat(handler.events).containsExactly("started " + id, "drained " + id, "completed " + id);
    }

    @Test
    void aChangeAlreadyDrainingForTheSubscriberIsDeliveredOnSubscribeAndOnlyOnce() throws Exception {
        fixture.service.subscribers().subscribe("late", "", "");
        fixture.tracker.setConnections(OLD_ADDRESS, 1);
        String id = fixture.service.changeAddress("v0", OLD, "10.9.1.1/24", "", 30);
        await().until(() -> fixture.service.change(id).orElseThrow().progress().state() == ChangeState.DRAINING);
        Recorder handler = new Recorder();

        remoteClient(new Connections()).subscribe("late", "", "", handler);

        await().until(() -> handler.events.contains("started " + id));
        assertThat(handler.received.get(0).message()).contains("already running");
        assertEquals("DRAINING", handler.received.get(0).state());
        fixture.tracker.setConnections(OLD_ADDRESS, 0);
        await().until(() -> handler.events.contains("completed " + id));
        assertThat(handler.events).containsExactly("started " + id, "drained " + id, "completed " + id);
    }

    @Test
    void anInProcessClientListensAgainWhenTheAgentsMBeansComeBack() throws Exception {
        Connections connections = new Connections();
        Recorder handler = new Recorder();
        AddressChangeClient client = keep(AddressChangeClient.builder(server).connectionListener(connections)
                .connect());
        client.subscribe("app", "", "", handler);

        adapter.close();
        await().until(() -> connections.log.contains("lost app"));
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);

        await().until(() -> connections.log.contains("reconnected"));
        String id = fixture.service.changeAddress("v0", OLD, "10.9.1.1/24", "", 30);
        await().until(() -> handler.events.contains("completed " + id));
    }

    @Test
    void closingTheSubscriptionStopsTheEventsAndKeepsTheSubscriptionOnTheAgent() throws Exception {
        Recorder handler = new Recorder();
        AddressChangeClient client = remoteClient(new Connections());
        AddressChangeClient.Subscription subscription = client.subscribe("app", "", "", handler);

        subscription.close();
        String id = fixture.service.changeAddress("v0", OLD, "10.9.1.1/24", "app", 30);
        fixture.service.awaitChange(id, 30);

        assertThat(fixture.service.subscribers().find("app")).isPresent();
        Recorder second = new Recorder();
        client.subscribe("app", "", "", second).unsubscribe();
        assertThat(fixture.service.subscribers().find("app")).isEmpty();
        assertThat(handler.events).isEmpty();
    }

    @Test
    void aWrongPasswordIsRefusedAtConnect() {
        assertThrows(SecurityException.class, () -> AddressChangeClient.builder(remote.url())
                .credentials(credentials.user(), "wrong").connect());
    }

    private AddressChangeClient remoteClient(Connections connections) throws Exception {
        return keep(AddressChangeClient.builder(remote.url())
                .credentials(credentials.user(), credentials.password())
                .connectionListener(connections)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(500))
                .heartbeat(Duration.ofMillis(500))
                .connect());
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    private static ObjectName name(String id) throws Exception {
        return new ObjectName("renumber:type=Subscription,id=" + id);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** An application's handler that writes down what it was told, and on which thread. */
    static final class Recorder implements AddressChangeHandler {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<AddressChangeEvent> received = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        private void record(String what, AddressChangeEvent event) {
            received.add(event);
            threads.add(Thread.currentThread().getName());
            events.add(what + " " + event.changeId());
        }

        @Override
        public CompletionStage<Void> warning(AddressChangeEvent event) {
            record("warning", event);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void started(AddressChangeEvent event) {
            record("started", event);
        }

        @Override
        public void drained(AddressChangeEvent event) {
            record("drained", event);
        }

        @Override
        public void completed(AddressChangeEvent event) {
            record("completed", event);
        }

        @Override
        public void timedOut(AddressChangeEvent event) {
            record("timedOut", event);
        }

        @Override
        public void cancelled(AddressChangeEvent event) {
            record("cancelled", event);
        }

        @Override
        public void failed(AddressChangeEvent event) {
            record("failed", event);
        }
    }

    static final class Connections implements ConnectionListener {
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void disconnected(Throwable cause) {
            log.add("disconnected");
        }

        @Override
        public void reconnected() {
            log.add("reconnected");
        }

        @Override
        public void subscriptionLost(String subscriberId) {
            log.add("lost " + subscriberId);
        }
    }
}
