package org.renumber.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;
import org.renumber.application.ApplicationMonitor;
import org.renumber.domain.LegacyApplication;
import org.renumber.domain.port.ApplicationStore;
import org.renumber.testing.FakeProcesses;

/** {@code renumber:type=ApplicationMonitor} as JConsole and scripts see it. */
class ApplicationMonitorMBeanTest {

    private static final String[] DECLARE = {"java.lang.String", "java.lang.String", "java.lang.String",
            "java.lang.String", "long", "long"};

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ServiceFixture fixture = new ServiceFixture();
    private final FakeProcesses processes = new FakeProcesses();
    private JmxAdapter adapter;
    private ApplicationMonitor monitor;

    @BeforeEach
    void export() {
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        monitor = new ApplicationMonitor(new ApplicationStore() {
            private List<LegacyApplication> saved = List.of();

            @Override
            public List<LegacyApplication> load() {
                return saved;
            }

            @Override
            public void save(List<LegacyApplication> applications) {
                saved = List.copyOf(applications);
            }
        }, processes, fixture.tracker);
        adapter.exportApplicationMonitor(monitor);
        fixture.service.addListener(monitor);
        fixture.start();
    }

    @AfterEach
    void close() {
        monitor.close();
        adapter.close();
        fixture.close();
    }

    @Test
    void everythingIsDescribedWithRealParameterNamesAndBothNotificationTypes() throws Exception {
        MBeanInfo info = server.getMBeanInfo(MBeanNames.APPLICATION_MONITOR);
        assertThat(info.getDescription()).isNotBlank();
        assertThat(info.getAttributes()).allSatisfy(a -> assertThat(a.getDescription()).isNotBlank());
        for (MBeanOperationInfo operation : info.getOperations()) {
            assertThat(operation.getDescription()).as(operation.getName()).isNotBlank();
            assertThat(operation.getSignature()).allSatisfy(p -> assertThat(p.getDescription()).isNotBlank());
        }
        MBeanOperationInfo declare = Arrays.stream(info.getOperations())
                .filter(o -> o.getName().equals("declareApplication")).findFirst().orElseThrow();
        assertThat(Arrays.stream(declare.getSignature()).map(MBeanParameterInfo::getName))
                .containsExactly("name", "group", "processPattern", "restartCommand", "graceSeconds",
                        "startupSeconds");
        assertThat(declare.getSignature()[5].getType()).isEqualTo("long");
        assertThat(declare.getSignature()[5].getDescription()).contains("1 to 3600");
        assertThat(info.getNotifications()[0].getNotifTypes())
                .containsExactly("renumber.application.restarted", "renumber.application.failed");
    }

    @Test
    void declaredApplicationsAreListedMatchedAndRemoved() throws Exception {
        long pid = processes.run("legacy-server --port 8080");
        Object declared = server.invoke(MBeanNames.APPLICATION_MONITOR, "declareApplication",
                new Object[] {"legacy", "web", "legacy-server", "", 10L, 240L}, DECLARE);

        assertThat((String) declared).startsWith("legacy group=web pattern=legacy-server");
        assertThat((String[]) server.getAttribute(MBeanNames.APPLICATION_MONITOR, "Applications"))
                .containsExactly("legacy group=web pattern=legacy-server restart=(by its supervisor) grace=10s "
                        + "startup=240s");
        assertThat((String[]) server.invoke(MBeanNames.APPLICATION_MONITOR, "matchingProcesses",
                new Object[] {"legacy"}, new String[] {"java.lang.String"}))
                .containsExactly(pid + " legacy-server --port 8080");
        MBeanException refused = assertThrows(MBeanException.class, () -> server.invoke(
                MBeanNames.APPLICATION_MONITOR, "declareApplication",
                new Object[] {"other", "", "(", "", 10L, 60L}, DECLARE));
        assertThat(refused.getCause()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a valid regular expression");
        MBeanException tooLong = assertThrows(MBeanException.class, () -> server.invoke(
                MBeanNames.APPLICATION_MONITOR, "declareApplication",
                new Object[] {"other", "", "other-server", "", 10L, 3601L}, DECLARE));
        assertThat(tooLong.getCause()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("startupSeconds 3601 is out of range: use 1 to 3600");
        assertEquals(1, server.getAttribute(MBeanNames.APPLICATION_MONITOR, "ApplicationCount"));
        server.invoke(MBeanNames.APPLICATION_MONITOR, "removeApplication", new Object[] {"legacy"},
                new String[] {"java.lang.String"});
        assertEquals(0, server.getAttribute(MBeanNames.APPLICATION_MONITOR, "ApplicationCount"));
    }

    @Test
    void aRestartIsANotificationWithWhatHappened() throws Exception {
        List<Notification> received = new CopyOnWriteArrayList<>();
        server.addNotificationListener(MBeanNames.APPLICATION_MONITOR, (n, h) -> received.add(n), null, null);
        fixture.tracker.setConnections(InetAddress.getByName("10.9.0.1"), 1);
        long old = processes.run("legacy-server", 1000L);
        processes.restartStarts("legacy-server");
        monitor.declare("legacy", "web", "legacy-server", "exec legacy-server", 0, 30);

        String id = fixture.service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);

        await().until(() -> !received.isEmpty());
        Notification notification = received.get(0);
        assertEquals("renumber.application.restarted", notification.getType());
        assertEquals(MBeanNames.APPLICATION_MONITOR, notification.getSource());
        CompositeData data = (CompositeData) notification.getUserData();
        assertEquals("legacy", data.get("application"));
        assertEquals("web", data.get("group"));
        assertEquals(id, data.get("changeId"));
        assertEquals("10.9.0.1/24", data.get("oldAddress"));
        assertEquals("10.9.1.1/24", data.get("newAddress"));
        assertEquals(String.valueOf(old), data.get("stoppedPids"));
        assertEquals("", data.get("killedPids"));
        assertThat((String) data.get("newPids")).isNotEmpty();
        assertThat((String[]) server.getAttribute(MBeanNames.APPLICATION_MONITOR, "RecentEvents"))
                .singleElement().asString().startsWith("RESTARTED legacy change=" + id);
    }
}
