package org.renumber.jmx;

import org.renumber.api.MBeanNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.security.Credentials;
import org.renumber.security.LoginBackoff;
import org.renumber.testing.MutableClock;

/** A real JMX remote client, over the password-protected RMI connector on loopback. */
class JmxRemoteTest {

    private static final String[] CHANGE_SIGNATURE = {"java.lang.String", "java.lang.String", "java.lang.String",
            "java.lang.String", "long"};
    private static final String[] SUBSCRIBE_SIGNATURE = {"java.lang.String", "java.lang.String", "java.lang.String"};

    private final Credentials credentials = new Credentials("operator", "s3cret-" + System.nanoTime());
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ServiceFixture fixture = new ServiceFixture();
    private JmxAdapter adapter;
    private JmxRemoteServer remote;
    private JMXConnector client;
    private MBeanServerConnection connection;

    @BeforeEach
    void start() throws Exception {
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        fixture.start();
        remote = JmxRemoteServer.start(server, "127.0.0.1", 0, credentials);
        client = connect(new String[] {credentials.user(), credentials.password()});
        connection = client.getMBeanServerConnection();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        remote.close();
        adapter.close();
        fixture.close();
    }

    @Test
    void urlIsTheDocumentedLoopbackForm() {
        assertThat(remote.url().toString()).matches("service:jmx:rmi:///jndi/rmi://127\\.0\\.0\\.1:\\d+/jmxrmi");
    }

    @Test
    void targetedSubscriberIsNotifiedOfEveryStepAndOthersHearNothing() throws Exception {
        ObjectName app1 = subscribe("app1", "web", "");
        ObjectName app2 = subscribe("app2", "db", "");
        assertThat(app1).isEqualTo(MBeanNames.subscription("app1"));
        List<Notification> toApp1 = listen(app1);
        List<Notification> toApp2 = listen(app2);
        List<Notification> toOperator = listen(MBeanNames.SERVICE);

        String id = changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "app1", 60);
        assertThat(connection.invoke(MBeanNames.SERVICE, "awaitChange", new Object[] {id, 10L},
                new String[] {"java.lang.String", "long"})).isEqualTo("COMPLETED");

        await().until(() -> toApp1.size() == 3);
        assertThat(toApp1).extracting(Notification::getType).containsExactly(
                "renumber.change.started", "renumber.change.drained", "renumber.change.completed");
        assertThat(toApp1).extracting(Notification::getSource).containsOnly(app1);
        // The subscriber's own numbering, one apart, the same in the notification and in its userData.
        long first = toApp1.get(0).getSequenceNumber();
        assertThat(toApp1).extracting(Notification::getSequenceNumber).containsExactly(first, first + 1, first + 2);
        assertThat(toApp1).extracting(n -> ((CompositeData) n.getUserData()).get("sequence"))
                .containsExactly(first, first + 1, first + 2);
        CompositeData started = (CompositeData) toApp1.get(0).getUserData();
        assertThat(started.get("changeId")).isEqualTo(id);
        assertThat(started.get("interfaceName")).isEqualTo("v0");
        assertThat(started.get("oldAddress")).isEqualTo("10.9.0.1/24");
        assertThat(started.get("newAddress")).isEqualTo("10.9.1.1/24");
        assertThat(started.get("state")).isEqualTo("DRAINING");
        assertThat(started.get("remainingConnections")).isEqualTo(0);
        assertThat((String) started.get("deadline")).isNotEmpty();
        CompositeData completed = (CompositeData) toApp1.get(2).getUserData();
        assertThat(completed.get("state")).isEqualTo("COMPLETED");
        assertThat(completed.get("outcome")).isEqualTo("DRAINED");
        assertThat(toApp1.get(0).getMessage()).isNotBlank();

        await().until(() -> toOperator.size() == 3);
        assertThat(toOperator).extracting(Notification::getSource).containsOnly(MBeanNames.SERVICE);
        assertThat(toApp2).isEmpty();
    }

    @Test
    void targetingByGroupReachesTheGroupOnly() throws Exception {
        List<Notification> toWeb1 = listen(subscribe("web1", "web", ""));
        List<Notification> toWeb2 = listen(subscribe("web2", "web", ""));
        List<Notification> toDb = listen(subscribe("db1", "db", ""));

        String id = changeAddress("v1", "10.20.0.1", "10.20.0.2", "group:web", 60);
        assertThat(connection.invoke(MBeanNames.SERVICE, "awaitChange", new Object[] {id, 10L},
                new String[] {"java.lang.String", "long"})).isEqualTo("COMPLETED");

        await().until(() -> toWeb1.size() == 3 && toWeb2.size() == 3);
        assertThat(toWeb2).extracting(Notification::getType).contains("renumber.change.completed");
        assertThat(((CompositeData) toWeb2.get(0).getUserData()).get("newAddress")).isEqualTo("10.20.0.2/24");
        assertThat(toDb).isEmpty();
        assertThat(connection.getAttribute(MBeanNames.change(id), "Subscribers"))
                .isEqualTo(new String[] {"web1", "web2"});
    }

    @Test
    void cancelledChangeIsAnnouncedAndLeavesTheOldAddress() throws Exception {
        fixture.tracker.setConnections(InetAddress.getByName("10.9.0.1"), 1);
        List<Notification> toApp1 = listen(subscribe("app1", "", ""));

        String id = changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "app1", 600);
        await().until(() -> toApp1.size() == 1);
        assertThat(connection.getAttribute(MBeanNames.change(id), "RemainingConnections")).isEqualTo(1);
        connection.invoke(MBeanNames.SERVICE, "cancelChange", new Object[] {id}, new String[] {"java.lang.String"});

        await().until(() -> toApp1.size() == 2);
        assertThat(toApp1).extracting(Notification::getType)
                .containsExactly("renumber.change.started", "renumber.change.cancelled");
        assertThat(((CompositeData) toApp1.get(1).getUserData()).get("outcome")).isEqualTo("CANCELLED");
        assertThat(connection.getAttribute(MBeanNames.change(id), "State")).isEqualTo("CANCELLED");
        assertThat(fixture.network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24");
    }

    @Test
    void drainTimeoutIsReportedWithTheRemainingConnections() throws Exception {
        fixture.tracker.setConnections(InetAddress.getByName("10.9.0.1"), 2);
        List<Notification> toApp1 = listen(subscribe("app1", "", ""));

        String id = changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 0);
        assertThat(connection.invoke(MBeanNames.SERVICE, "awaitChange", new Object[] {id, 10L},
                new String[] {"java.lang.String", "long"})).isEqualTo("TIMED_OUT");

        await().until(() -> toApp1.size() == 2);
        assertThat(toApp1).extracting(Notification::getType)
                .containsExactly("renumber.change.started", "renumber.change.timeout");
        CompositeData timeout = (CompositeData) toApp1.get(1).getUserData();
        assertThat(timeout.get("remainingConnections")).isEqualTo(2);
        assertThat(timeout.get("outcome")).isEqualTo("TIMED_OUT");
        assertThat((String) timeout.get("error")).isNotEmpty();
        assertThat(connection.getAttribute(MBeanNames.change(id), "Error")).isEqualTo(timeout.get("error"));
    }

    @Test
    void badInputReachesTheClientWithAMessageNamingTheProblem() throws Exception {
        MBeanException unknownInterface = assertThrows(MBeanException.class,
                () -> changeAddress("nope0", "10.9.0.1", "10.9.1.1/24", "", 60));
        assertThat(unknownInterface.getMessage()).contains("unknown interface 'nope0'");
        assertThat(unknownInterface.getTargetException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown interface 'nope0'");

        MBeanException unknownTarget = assertThrows(MBeanException.class,
                () -> changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "ghost", 60));
        assertThat(unknownTarget.getMessage()).contains("unknown subscriber id 'ghost'");

        subscribe("app1", "", "");
        MBeanException duplicate = assertThrows(MBeanException.class, () -> subscribe("app1", "", ""));
        assertThat(duplicate.getMessage()).contains("'app1' is already subscribed");

        MBeanException badAddress = assertThrows(MBeanException.class, () -> connection.invoke(
                MBeanNames.CONNECTION_TRACKER, "countConnections", new Object[] {"10.1"},
                new String[] {"java.lang.String"}));
        assertThat(badAddress.getMessage()).contains("'10.1' is not a valid IP address");

        MBeanException unknownChange = assertThrows(MBeanException.class, () -> connection.invoke(MBeanNames.SERVICE,
                "cancelChange", new Object[] {"chg-00000000"}, new String[] {"java.lang.String"}));
        assertThat(unknownChange.getMessage()).contains("unknown change id 'chg-00000000'");
    }

    @Test
    void connectionTrackerListsTheSocketsOnAnAddress() throws Exception {
        fixture.tracker.setConnections(InetAddress.getByName("10.9.0.1"), 2);
        Object count = connection.invoke(MBeanNames.CONNECTION_TRACKER, "countConnections", new Object[] {"10.9.0.1"},
                new String[] {"java.lang.String"});
        String[] lines = (String[]) connection.invoke(MBeanNames.CONNECTION_TRACKER, "connections",
                new Object[] {"10.9.0.1"}, new String[] {"java.lang.String"});
        assertThat(count).isEqualTo(2);
        assertThat(lines).hasSize(2)
                .allMatch(line -> line.startsWith("tcp 10.9.0.1:5000 -> ") && line.endsWith("ESTABLISHED"));
    }

    @Test
    void wrongPasswordAndMissingCredentialsAreRefused() {
        assertThrows(SecurityException.class, () -> connect(new String[] {credentials.user(), "wrong"}));
        assertThrows(SecurityException.class, () -> connect(new String[] {"someone", credentials.password()}));
        assertThrows(SecurityException.class, () -> connect(null));
        assertThrows(SecurityException.class, () -> connect("a string is not a user and password"));
    }

    @Test
    void afterFiveWrongPasswordsTheClientMustWaitAndIsToldSo() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (JmxRemoteServer guarded = JmxRemoteServer.start(server, "127.0.0.1", 0, credentials, 0, SocketPlace.HERE,
                "", new LoginBackoff(clock))) {
            for (int attempt = 1; attempt <= 6; attempt++) {
                SecurityException wrong = assertThrows(SecurityException.class,
                        () -> connect(guarded, new String[] {credentials.user(), "wrong"}));
                assertThat(wrong.getMessage()).contains("wrong user name or password");
            }
            // Not checked until the wait passes (1 s after the sixth failure), so the right password waits too.
            SecurityException waiting = assertThrows(SecurityException.class,
                    () -> connect(guarded, new String[] {credentials.user(), credentials.password()}));
            assertThat(waiting.getMessage()).contains("Too many failed logins").contains("retry in 1 s");
            clock.advance(Duration.ofSeconds(1));
            connect(guarded, new String[] {credentials.user(), credentials.password()}).close();
        }
    }

    @Test
    void loggedInClientsMayOnlyReadJavaLangAndUseRenumber() throws Exception {
        try (JmxRemoteServer platform = JmxRemoteServer.start(ManagementFactory.getPlatformMBeanServer(),
                "127.0.0.1", 0, credentials);
             JMXConnector jconsole = JMXConnectorFactory.connect(platform.url(),
                     Map.of(JMXConnector.CREDENTIALS, new String[] {credentials.user(), credentials.password()}))) {
            MBeanServerConnection jvm = jconsole.getMBeanServerConnection();
            ObjectName memory = new ObjectName("java.lang:type=Memory");
            ObjectName diagnostics = new ObjectName("com.sun.management:type=DiagnosticCommand");
            ObjectName hotspot = new ObjectName("com.sun.management:type=HotSpotDiagnostic");
            assertThat(jvm.getAttribute(memory, "HeapMemoryUsage")).isNotNull();
            assertThat(jvm.queryNames(null, null)).contains(memory, diagnostics, hotspot);
            assertThat(jvm.getMBeanInfo(diagnostics).getOperations()).isNotEmpty();

            assertThrows(SecurityException.class, () -> jvm.invoke(memory, "gc", null, null));
            assertThrows(SecurityException.class,
                    () -> jvm.setAttribute(memory, new javax.management.Attribute("Verbose", true)));
            assertThrows(SecurityException.class, () -> jvm.invoke(diagnostics, "vmFlags",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()}));
            assertThrows(SecurityException.class, () -> jvm.getAttribute(hotspot, "DiagnosticOptions"));
            assertThrows(SecurityException.class, () -> jvm.unregisterMBean(hotspot));
            assertThrows(SecurityException.class, () -> jvm.createMBean("javax.management.timer.Timer",
                    new ObjectName("renumber:type=Intruder")));
        }
    }

    @Test
    void noOtherProcessCanReplaceTheRegisteredConnector() throws Exception {
        Registry registry = LocateRegistry.getRegistry("127.0.0.1", remote.port());
        Remote impostor = registry.lookup("jmxrmi");
        // What a local attacker would try: swap in a stub of their own to collect the next login.
        assertThrows(RemoteException.class, () -> registry.rebind("jmxrmi", impostor));
        assertThrows(RemoteException.class, () -> registry.bind("other", impostor));
        try (JMXConnector again = connect(new String[] {credentials.user(), credentials.password()})) {
            assertThat(again.getMBeanServerConnection().isRegistered(MBeanNames.SERVICE)).isTrue();
        }
    }

    @Test
    void connectorListensOnLoopbackOnly() throws Exception {
        int port = remote.port();
        assertThat(remote.url().getURLPath()).endsWith(":" + port + "/jmxrmi");
        Optional<InetAddress> external = NetworkInterface.networkInterfaces()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
        try (Socket loopback = new Socket()) {
            loopback.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        }
        if (external.isPresent()) {
            assertThrows(ConnectException.class, () -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(external.get(), port), 2000);
                }
            });
        }
    }

    private JMXConnector connect(Object jmxCredentials) throws IOException {
        return connect(remote, jmxCredentials);
    }

    private static JMXConnector connect(JmxRemoteServer remote, Object jmxCredentials) throws IOException {
        Map<String, Object> environment = jmxCredentials == null ? Map.of()
                : Map.of(JMXConnector.CREDENTIALS, jmxCredentials);
        return JMXConnectorFactory.connect(remote.url(), environment);
    }

    private ObjectName subscribe(String id, String group, String scope) throws Exception {
        return new ObjectName((String) connection.invoke(MBeanNames.SERVICE, "subscribe",
                new Object[] {id, group, scope}, SUBSCRIBE_SIGNATURE));
    }

    private String changeAddress(String ifName, String old, String fresh, String targets, long timeout)
            throws Exception {
        return (String) connection.invoke(MBeanNames.SERVICE, "changeAddress",
                new Object[] {ifName, old, fresh, targets, timeout}, CHANGE_SIGNATURE);
    }

    private List<Notification> listen(ObjectName name) throws Exception {
        List<Notification> received = new CopyOnWriteArrayList<>();
        connection.addNotificationListener(name, (notification, handback) -> received.add(notification), null, null);
        return received;
    }
}
