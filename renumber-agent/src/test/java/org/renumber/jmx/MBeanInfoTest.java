package org.renumber.jmx;

import org.renumber.api.MBeanNames;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import javax.management.Attribute;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.NotificationBroadcaster;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.api.NotificationTypes;
import org.renumber.api.Operation;
import org.renumber.api.Operations;
import org.renumber.domain.EventType;
import org.renumber.monitor.InterfaceMonitor;
import org.renumber.testing.InMemoryAddressEvents;
import org.renumber.testing.InMemorySettingsStore;

class MBeanInfoTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ServiceFixture fixture = new ServiceFixture();
    private final InMemorySettingsStore monitorSettings = new InMemorySettingsStore();
    private JmxAdapter adapter;
    private InterfaceMonitor monitor;
    private String changeId;

    @BeforeEach
    void exportOneOfEachKind() throws Exception {
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        fixture.start();
        monitor = new InterfaceMonitor(new InMemoryAddressEvents(fixture.network, java.time.Clock.systemUTC()),
                fixture.service, fixture.tracker, monitorSettings, java.time.Clock.systemUTC());
        adapter.exportInterfaceMonitor(monitor, fixture.network);
        monitor.start();
        fixture.service.subscribers().subscribe("app1", "web", "");
        changeId = fixture.service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        fixture.service.awaitChange(changeId, 10);
    }

    @AfterEach
    void close() {
        monitor.close();
        adapter.close();
        fixture.close();
    }

    @Test
    void everyRenumberMBeanIsRegisteredUnderItsContractName() throws Exception {
        assertThat(server.queryNames(new ObjectName("renumber:*"), null)).containsExactlyInAnyOrder(
                MBeanNames.SERVICE, MBeanNames.CONNECTION_TRACKER, MBeanNames.INTERFACE_MONITOR,
                MBeanNames.subscription("app1"), MBeanNames.change(changeId));
    }

    @Test
    void everyAttributeOperationAndParameterHasADescription() throws Exception {
        for (ObjectName name : server.queryNames(new ObjectName("renumber:*"), null)) {
            MBeanInfo info = server.getMBeanInfo(name);
            assertThat(info.getDescription()).as(name.toString()).isNotBlank();
            for (MBeanAttributeInfo attribute : info.getAttributes()) {
                assertThat(attribute.getDescription()).as(name + " attribute " + attribute.getName()).isNotBlank();
            }
            for (MBeanOperationInfo operation : info.getOperations()) {
                assertThat(operation.getDescription()).as(name + " operation " + operation.getName()).isNotBlank();
                for (MBeanParameterInfo parameter : operation.getSignature()) {
                    assertThat(parameter.getDescription())
                            .as(name + " " + operation.getName() + " parameter " + parameter.getName()).isNotBlank();
                }
            }
        }
    }

    @Test
    void operationsShowTheirRealParameterNamesAndJdkTypes() throws Exception {
        MBeanInfo service = server.getMBeanInfo(MBeanNames.SERVICE);
        assertThat(parameterNames(service, "changeAddress"))
                .containsExactly("interfaceName", "oldAddress", "newAddress", "targets", "drainTimeoutSeconds");
        assertThat(parameterNames(service, "subscribe")).containsExactly("subscriberId", "group", "scope");
        assertThat(parameterNames(service, "unsubscribe")).containsExactly("subscriberId");
        assertThat(parameterNames(service, "awaitChange")).containsExactly("changeId", "timeoutSeconds");
        assertThat(parameterNames(service, "cancelChange")).containsExactly("changeId");
        assertThat(operation(service, "changeAddress").getReturnType()).isEqualTo(String.class.getName());
        assertThat(operation(service, "subscribe").getReturnType()).isEqualTo(String.class.getName());
        assertThat(operation(service, "awaitChange").getReturnType()).isEqualTo(String.class.getName());

        MBeanInfo tracker = server.getMBeanInfo(MBeanNames.CONNECTION_TRACKER);
        assertThat(parameterNames(tracker, "connections")).containsExactly("address");
        assertThat(operation(tracker, "connections").getReturnType()).isEqualTo(String[].class.getName());
        assertThat(operation(tracker, "countConnections").getReturnType()).isEqualTo("int");

        for (ObjectName name : server.queryNames(new ObjectName("renumber:*"), null)) {
            for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                assertThat(attribute.getType()).as(name + " " + attribute.getName())
                        .isIn("java.lang.String", "[Ljava.lang.String;", "int", "long", "boolean");
            }
        }
    }

    @Test
    void contractAttributesArePresent() throws Exception {
        assertThat(attributeNames(MBeanNames.change(changeId))).contains("State", "InterfaceName", "OldAddress",
                "NewAddress", "Targets", "RemainingConnections", "Outcome", "Error", "StartedAt", "Deadline",
                "Subscribers");
        assertThat(attributeNames(MBeanNames.subscription("app1"))).contains("SubscriberId", "Group", "Scope");
        assertThat(attributeNames(MBeanNames.SERVICE)).contains("Subscribers", "ActiveChanges", "RecentChanges");
        assertThat(server.getAttribute(MBeanNames.change(changeId), "State")).isEqualTo("COMPLETED");
        assertThat(server.getAttribute(MBeanNames.change(changeId), "Outcome")).isEqualTo("DRAINED");
        assertThat((String[]) server.getAttribute(MBeanNames.SERVICE, "Subscribers"))
                .containsExactly("app1 group=web scope=(all)");
        assertThat((String[]) server.getAttribute(MBeanNames.SERVICE, "RecentChanges")).singleElement()
                .asString().startsWith(changeId + " v0 10.9.0.1/24 -> 10.9.1.1/24 COMPLETED outcome=DRAINED");
    }

    @Test
    void theOperationsAndAttributesOfTheApiExistWithTheirExactSignatures() throws Exception {
        assertHasOperations(MBeanNames.SERVICE, Operations.SERVICE);
        assertHasOperations(MBeanNames.subscription("app1"), Operations.SUBSCRIPTION);
        assertThat(attributeNames(MBeanNames.subscription("app1")))
                .containsAll(org.renumber.api.Attributes.Subscription.ALL);
        assertThat(attributeNames(MBeanNames.change(changeId))).containsAll(org.renumber.api.Attributes.Change.ALL);
        assertThat(server.queryNames(MBeanNames.CHANGES, null)).containsExactly(MBeanNames.change(changeId));
    }

    private void assertHasOperations(ObjectName name, List<Operation> operations) throws Exception {
        MBeanInfo info = server.getMBeanInfo(name);
        for (Operation expected : operations) {
            assertThat(Arrays.stream(info.getOperations()).filter(o -> o.getName().equals(expected.name()))
                    .map(o -> Arrays.stream(o.getSignature()).map(MBeanParameterInfo::getType).toList()))
                    .as(name + " " + expected.name()).contains(expected.parameterTypes());
        }
    }

    @Test
    void serviceAndSubscriptionsAdvertiseEveryNotificationType() throws Exception {
        Set<String> all = Set.of(Arrays.stream(EventType.values()).map(ChangeNotifications::type)
                .toArray(String[]::new));
        assertThat(all).as("every event of a change has its own type in the api")
                .containsExactlyInAnyOrderElementsOf(NotificationTypes.CHANGE);
        for (ObjectName name : List.of(MBeanNames.SERVICE, MBeanNames.subscription("app1"))) {
            assertThat(server.isInstanceOf(name, NotificationBroadcaster.class.getName())).as(name.toString()).isTrue();
            MBeanNotificationInfo[] notifications = server.getMBeanInfo(name).getNotifications();
            assertThat(notifications).hasSize(1);
            assertThat(notifications[0].getNotifTypes()).containsExactlyInAnyOrderElementsOf(all);
            assertThat(notifications[0].getDescription()).isNotBlank();
        }
        assertThat(server.getMBeanInfo(MBeanNames.CONNECTION_TRACKER).getNotifications()).isEmpty();
    }

    @Test
    void warningsMigrationsAndHoldersHaveTheirOperationsAndAttributes() throws Exception {
        MBeanInfo service = server.getMBeanInfo(MBeanNames.SERVICE);
        assertThat(parameterNames(service, "scheduleChange")).containsExactly("interfaceName", "oldAddress",
                "newAddress", "targets", "drainTimeoutSeconds", "warningSeconds");
        assertThat(parameterNames(service, "migrateSubscribers"))
                .containsExactly("interfaceName", "oldAddress", "newAddress", "targets", "drainTimeoutSeconds");
        assertThat(operation(service, "scheduleChange").getReturnType()).isEqualTo(String.class.getName());
        assertThat(operation(service, "migrateSubscribers").getReturnType()).isEqualTo(String.class.getName());
        assertThat(parameterNames(service, "scheduleMigration")).containsExactly("interfaceName", "oldAddress",
                "newAddress", "targets", "drainTimeoutSeconds", "warningSeconds");
        assertThat(operation(service, "scheduleMigration").getReturnType()).isEqualTo(String.class.getName());
        MBeanInfo subscription = server.getMBeanInfo(MBeanNames.subscription("app1"));
        assertThat(parameterNames(subscription, "ready")).containsExactly("changeId");
        assertThat(parameterNames(subscription, "recordProcess")).containsExactly("pid", "pidNamespace");
        assertThat(operation(subscription, "recordProcess").getReturnType()).isEqualTo("long");
        assertThat(operation(subscription, "ready").getReturnType()).isEqualTo("void");
        MBeanInfo tracker = server.getMBeanInfo(MBeanNames.CONNECTION_TRACKER);
        assertThat(parameterNames(tracker, "holders")).containsExactly("address");
        assertThat(operation(tracker, "holders").getReturnType()).isEqualTo(String[].class.getName());
        assertThat(attributeNames(MBeanNames.change(changeId))).contains("Kind", "OldAddressKept", "WarningEnd",
                "WarningSeconds", "Acknowledged", "StartReason", "Holders");
        assertThat(server.getAttribute(MBeanNames.change(changeId), "Kind")).isEqualTo("REQUESTED");
        assertThat(server.getAttribute(MBeanNames.change(changeId), "StartReason")).isEqualTo("");
        assertThat(server.getMBeanInfo(MBeanNames.SERVICE).getNotifications()[0].getNotifTypes())
                .contains("renumber.change.warning");
    }

    @Test
    void interfaceMonitorSettingsAreWritableAttributesValidatedOnWrite() throws Exception {
        MBeanInfo info = server.getMBeanInfo(MBeanNames.INTERFACE_MONITOR);
        assertThat(Arrays.stream(info.getAttributes()).filter(MBeanAttributeInfo::isWritable)
                .map(MBeanAttributeInfo::getName)).containsExactlyInAnyOrder("Enabled", "WindowMillis",
                "SettleMillis", "AutoRemoveAlias", "DrainTimeoutSeconds");
        assertThat(attributeNames(MBeanNames.INTERFACE_MONITOR)).contains("RecentDetections", "PendingSteps");
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "Enabled")).isEqualTo(true);
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "WindowMillis")).isEqualTo(10_000L);
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "SettleMillis")).isEqualTo(250L);
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "AutoRemoveAlias")).isEqualTo(false);
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "DrainTimeoutSeconds")).isEqualTo(300L);

        server.setAttribute(MBeanNames.INTERFACE_MONITOR, new Attribute("WindowMillis", 2500L));
        server.setAttribute(MBeanNames.INTERFACE_MONITOR, new Attribute("AutoRemoveAlias", true));
        assertThat(monitorSettings.saved().windowMillis()).isEqualTo(2500L);
        assertThat(monitorSettings.saved().autoRemoveAlias()).isTrue();
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> server.setAttribute(MBeanNames.INTERFACE_MONITOR, new Attribute("DrainTimeoutSeconds", -3L)));
        assertThat(messages(refused)).contains("DrainTimeoutSeconds -3 is out of range: use 0 to 604800 seconds");
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "DrainTimeoutSeconds")).isEqualTo(300L);
        server.setAttribute(MBeanNames.INTERFACE_MONITOR, new Attribute("SettleMillis", 1000L));
        assertThat(monitorSettings.saved().settleMillis()).isEqualTo(1000L);
        refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> server.setAttribute(MBeanNames.INTERFACE_MONITOR, new Attribute("SettleMillis", 2501L)));
        assertThat(messages(refused)).contains("SettleMillis 2501 is longer than WindowMillis 2500");
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "SettleMillis")).isEqualTo(1000L);
    }

    @Test
    void interfaceMonitorShowsWhetherItListensAndWhyNot() throws Exception {
        MBeanInfo info = server.getMBeanInfo(MBeanNames.INTERFACE_MONITOR);
        assertThat(Arrays.stream(info.getAttributes()).filter(a -> Set.of("Listening", "LastError").contains(a.getName())))
                .hasSize(2).noneMatch(MBeanAttributeInfo::isWritable);
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "Listening")).isEqualTo(true);
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "LastError")).isEqualTo("");

        server.setAttribute(MBeanNames.INTERFACE_MONITOR, new Attribute("Enabled", false));
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "Listening")).isEqualTo(false);
        assertThat(server.getAttribute(MBeanNames.INTERFACE_MONITOR, "LastError")).isEqualTo("");
    }

    @Test
    void interfaceMonitorAdvertisesItsNotificationTypes() throws Exception {
        assertThat(server.isInstanceOf(MBeanNames.INTERFACE_MONITOR, NotificationBroadcaster.class.getName())).isTrue();
        MBeanNotificationInfo[] notifications = server.getMBeanInfo(MBeanNames.INTERFACE_MONITOR).getNotifications();
        assertThat(Arrays.stream(notifications).flatMap(n -> Arrays.stream(n.getNotifTypes())))
                .containsExactlyInAnyOrder("renumber.interface.changed", "renumber.address.lost",
                        "renumber.monitor.failed", "renumber.monitor.recovered");
        assertThat(notifications).allMatch(n -> !n.getDescription().isBlank());
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }

    @Test
    void closingTheAdapterUnregistersEverything() throws Exception {
        adapter.close();
        assertThat(server.queryNames(new ObjectName("renumber:*"), null)).isEmpty();
    }

    private static MBeanOperationInfo operation(MBeanInfo info, String name) {
        return Arrays.stream(info.getOperations()).filter(o -> o.getName().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> parameterNames(MBeanInfo info, String operation) {
        return Arrays.stream(operation(info, operation).getSignature()).map(MBeanParameterInfo::getName).toList();
    }

    private List<String> attributeNames(ObjectName name) throws Exception {
        return Arrays.stream(server.getMBeanInfo(name).getAttributes()).map(MBeanAttributeInfo::getName).toList();
    }
}
