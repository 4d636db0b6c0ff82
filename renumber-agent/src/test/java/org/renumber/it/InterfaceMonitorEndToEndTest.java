package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.management.Attribute;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.renumber.domain.InterfaceAddress;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.KernelAddressLog;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * The interface monitor on the real kernel: an agent managing namespace A, an operator renumbering v0 by hand
 * with {@code ip} and {@code ifconfig} (net-tools), subscribers listening through the agent's JMX connector and,
 * where connections matter, an application in a separate JVM. Each test prints how long the agent took from the
 * kernel event that completed the pattern (as {@code ip -ts monitor} saw it) to the notification.
 */
@KernelTest
class InterfaceMonitorEndToEndTest {

    private static final String MONITOR = "renumber:type=InterfaceMonitor";
    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String SUBSCRIPTION = "renumber:type=Subscription,id=app";
    private static final String OLD = "10.9.0.1";
    private static final String NEW = "10.9.1.1";

    private AgentFixture fixture;
    private RemoteJmx jmx;
    private Timed monitorEvents;
    private Timed appEvents;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeEach
    void startAgent() throws Exception {
        fixture = new AgentFixture("rn-test-mon-");
        jmx = keep(fixture.jmx());
        jmx.invoke(SERVICE, "subscribe", "app", "", "v0");
        listen();
        set("DrainTimeoutSeconds", 30L);
    }

    /** Listens to the monitor and to the subscription "app" (journaled: it survives restarts). */
    private void listen() throws Exception {
        monitorEvents = listen(MONITOR);
        appEvents = listen(SUBSCRIPTION);
    }

    @AfterEach
    void stopEverything() {
        closeResources();
        fixture.close();
    }

    private void closeResources() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                // a connection to a stopped agent may fail to close; nothing is left to clean
            }
        }
        resources.clear();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"remove old, add new, re-add old as alias", "add new, remove old, re-add old as alias",
            "remove old, re-add old as alias, add new"})
    void theIpSequenceInAnyOrderIsDetectedExactlyOnce(String order) throws Exception {
        KernelAddressLog kernel = keep(KernelAddressLog.start(fixture.net.a())).awaitReady(fixture.net, fixture.net.a());
        List<Runnable> steps = switch (order) {
            case "remove old, add new, re-add old as alias" -> List.of(this::removeOld, this::addNew, this::reAddOld);
            case "add new, remove old, re-add old as alias" -> List.of(this::addNew, this::removeOld, this::reAddOld);
            default -> List.of(this::removeOld, this::reAddOld, this::addNew);
        };
        steps.forEach(Runnable::run);

        CompositeData changed = monitorEvents.await("renumber.interface.changed");
        assertEquals("v0", changed.get("interfaceName"));
        assertEquals(OLD + "/24", changed.get("oldAddress"));
        assertEquals(NEW + "/24", changed.get("newAddress"));
        assertEquals("v0:0", changed.get("aliasLabel"));
        assertEquals("", changed.get("error"));
        String changeId = (String) changed.get("changeId");
        appEvents.await("renumber.alias.removable");

        assertThat(monitorEvents.types()).containsExactly("renumber.interface.changed");
        assertThat(appEvents.types()).containsExactly("renumber.interface.changed", "renumber.change.started",
                "renumber.change.drained", "renumber.alias.removable");
        assertThat(appEvents.all()).allMatch(n -> changeId.equals(((CompositeData) n.getUserData()).get("changeId")));
        assertThat((String[]) jmx.get(MONITOR, "RecentDetections")).singleElement().asString().contains(changeId);
        assertThat(ipv4Addresses()).containsExactlyInAnyOrder(NEW + "/24", OLD + "/24");
        printLatency("ip, " + order, kernel, order.endsWith("add new") ? isAdd(NEW + "/24") : isAdd(OLD + "/24"));
    }

    @ParameterizedTest(name = "new address {0}")
    @ValueSource(strings = {NEW, "10.9.0.9"}) // in another subnet, and in the old one (the alias is then a secondary)
    void ifconfigSettingThePrimaryWithNetmaskThenTheAliasIsDetectedOnceWithTheFinalPrefixes(String fresh)
            throws Exception {
        KernelAddressLog kernel = keep(KernelAddressLog.start(fixture.net.a())).awaitReady(fixture.net, fixture.net.a());

        fixture.net.exec(fixture.net.a(), "ifconfig", "v0", fresh, "netmask", "255.255.255.0");
        fixture.net.exec(fixture.net.a(), "ifconfig", "v0:0", OLD, "netmask", "255.255.255.0");

        CompositeData changed = monitorEvents.await("renumber.interface.changed");
        assertEquals(OLD + "/24", changed.get("oldAddress"));
        assertEquals(fresh + "/24", changed.get("newAddress"));
        assertEquals("v0:0", changed.get("aliasLabel"));
        appEvents.await("renumber.alias.removable");
        assertThat(kernel.entries()).as("ifconfig's classful steps").anyMatch(e -> e.line().contains(fresh + "/8"))
                .anyMatch(e -> e.line().contains(OLD + "/8"));
        assertThat(monitorEvents.types()).containsExactly("renumber.interface.changed");
        assertThat(appEvents.types()).containsExactly("renumber.interface.changed", "renumber.change.started",
                "renumber.change.drained", "renumber.alias.removable");
        assertThat(ipv4Addresses()).containsExactlyInAnyOrder(fresh + "/24", OLD + "/24");
        printLatency("ifconfig, new address " + fresh, kernel,
                line -> isAdd(OLD + "/24").test(line) && line.contains("v0:0"));
    }

    @Test
    void theIpv6SequenceIsDetected() throws Exception {
        fixture.net.ip(fixture.net.a(), "addr", "del", "2001:db8:9::1/64", "dev", "v0");
        fixture.net.ip(fixture.net.a(), "addr", "add", "2001:db8:9::100/64", "dev", "v0", "nodad");
        fixture.net.ip(fixture.net.a(), "addr", "add", "2001:db8:9::1/64", "dev", "v0", "nodad");

        CompositeData changed = monitorEvents.await("renumber.interface.changed");
        assertEquals(InterfaceAddress.parse("2001:db8:9::1/64").toString(), changed.get("oldAddress"));
        assertEquals(InterfaceAddress.parse("2001:db8:9::100/64").toString(), changed.get("newAddress"));
        appEvents.await("renumber.alias.removable");
        assertThat(appEvents.types()).containsExactly("renumber.interface.changed", "renumber.change.started",
                "renumber.change.drained", "renumber.alias.removable");
    }

    @Test
    void aMissingOrLateStepIsNotDetected() throws Exception {
        set("WindowMillis", 1500L);
        removeOld();
        addNew();
        awaitPending(line -> line.endsWith("v0: " + NEW + "/24 added"));
        // The old address is not re-added: once the window has passed, the monitor has forgotten the steps.
        await().atMost(Duration.ofSeconds(10)).until(() -> pendingSteps().isEmpty());

        reAddOld();
        awaitPending(line -> line.endsWith("v0: " + OLD + "/24 (v0:0) added"));

        assertThat((String[]) jmx.get(MONITOR, "RecentDetections")).isEmpty();
        assertThat(monitorEvents.types()).isEmpty();
        assertThat(appEvents.types()).isEmpty();
    }

    @Test
    void unrelatedAddsAndRemovesAreNotDetected() throws Exception {
        ip("addr", "add", "10.9.5.5/24", "dev", "v0");
        ip("addr", "add", "10.9.6.6/24", "dev", "v0", "label", "v0:1");
        ip("addr", "del", "10.9.5.5/24", "dev", "v0");
        ip("addr", "del", "2001:db8:9::1/64", "dev", "v0");
        ip("addr", "add", "10.9.7.7/24", "dev", "v0");
        awaitPending(line -> line.endsWith("v0: 10.9.7.7/24 added"));

        assertThat(pendingSteps()).hasSize(5);
        assertThat((String[]) jmx.get(MONITOR, "RecentDetections")).isEmpty();
        assertThat(monitorEvents.types()).isEmpty();
        assertThat(appEvents.types()).isEmpty();
    }

    @Test
    void theAgentsOwnChangeIsNotDetectedEvenWhenTheOperatorReAddsTheOldAddress() throws Exception {
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 10L);
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 30L));
        // With the agent's removal and addition, this re-add would complete the pattern.
        reAddOld();
        ip("addr", "add", "10.9.5.5/24", "dev", "v0"); // a marker: the monitor has read everything before it
        awaitPending(line -> line.endsWith("v0: 10.9.5.5/24 added"));

        assertThat(pendingSteps()).hasSize(1);
        assertThat((String[]) jmx.get(MONITOR, "RecentDetections")).isEmpty();
        assertThat(monitorEvents.types()).isEmpty();
        assertThat(appEvents.types()).containsExactly("renumber.change.started", "renumber.change.drained",
                "renumber.change.completed");
    }

    @Test
    void aSubscriberHoldingAConnectionOnTheAliasIsToldItCanGoOnlyAfterClosingIt() throws Exception {
        NetNsPeer server = keep(NetNsPeer.start(fixture.net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        NetNsPeer client = keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any",
                OLD, "7000", "1"));
        await().until(() -> (Integer) jmx.invoke("renumber:type=ConnectionTracker", "countConnections", OLD) == 1);
        KernelAddressLog kernel = keep(KernelAddressLog.start(fixture.net.a())).awaitReady(fixture.net, fixture.net.a());

        removeOld();
        addNew();
        reAddOld();

        CompositeData started = appEvents.await("renumber.change.started");
        assertEquals(OLD + "/24", started.get("oldAddress"));
        assertEquals(NEW + "/24", started.get("newAddress"));
        String change = "renumber:type=AddressChange,id=" + started.get("changeId");
        await().until(() -> "DRAINING".equals(jmx.get(change, "State")) && (Integer) jmx.get(change,
                "RemainingConnections") == 1);
        assertThat(appEvents.types()).containsExactly("renumber.interface.changed", "renumber.change.started");
        assertThat(client.ask("ping")).as("the connection on the alias keeps working").isEqualTo("PONG ok");
        printLatency("ip with a subscriber holding a connection", kernel, isAdd(OLD + "/24"));

        assertThat(server.ask("close")).isEqualTo("CLOSED");

        CompositeData removable = appEvents.await("renumber.alias.removable");
        assertEquals("COMPLETED", removable.get("state"));
        assertEquals("DRAINED", removable.get("outcome"));
        assertEquals(0, removable.get("remainingConnections"));
        assertThat(appEvents.types()).containsExactly("renumber.interface.changed", "renumber.change.started",
                "renumber.change.drained", "renumber.alias.removable");
        assertThat(ipv4Addresses()).as("the alias is the operator's to remove").contains(OLD + "/24");
        assertThat(monitorEvents.types()).containsExactly("renumber.interface.changed");
    }

    @Test
    void anAddressRemovedUnderALiveConnectionAndNotPutBackIsReportedLost() throws Exception {
        keep(NetNsPeer.start(fixture.net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD, "7000", "1"));
        await().until(() -> (Integer) jmx.invoke("renumber:type=ConnectionTracker", "countConnections", OLD) == 1);
        set("WindowMillis", 1000L);

        Instant removed = Instant.now();
        removeOld();

        CompositeData lost = monitorEvents.await("renumber.address.lost");
        assertEquals("v0", lost.get("interfaceName"));
        assertEquals(OLD + "/24", lost.get("address"));
        assertEquals(1, lost.get("connections"));
        assertThat(Instant.parse((String) lost.get("removedAt"))).isAfterOrEqualTo(removed.minusSeconds(1));
        assertThat(monitorEvents.types()).containsExactly("renumber.address.lost");
        assertThat((String[]) jmx.get(MONITOR, "RecentDetections")).singleElement().asString()
                .contains("v0: " + OLD + "/24 removed and lost; 1 connection(s) broke");
        assertThat(appEvents.types()).isEmpty();
    }

    @Test
    void withAutoRemoveAliasTheAgentRemovesTheAliasItself() throws Exception {
        set("AutoRemoveAlias", true);
        removeOld();
        addNew();
        reAddOld();

        appEvents.await("renumber.change.completed");
        assertThat(appEvents.types()).containsExactly("renumber.interface.changed", "renumber.change.started",
                "renumber.change.drained", "renumber.change.completed");
        assertThat(ipv4Addresses()).containsExactly(NEW + "/24");
        assertThat(monitorEvents.types()).as("the agent's removal of the alias is not an address lost")
                .containsExactly("renumber.interface.changed");
    }

    @Test
    void settingsAreValidatedAndSurviveARestart() throws Exception {
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> set("WindowMillis", 10L));
        assertThat(messages(refused)).contains("WindowMillis 10 is out of range: use 100 to 600000 milliseconds");
        set("WindowMillis", 2500L);
        set("SettleMillis", 400L);
        assertThat(messages(org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> set("SettleMillis", 2600L)))).contains("SettleMillis 2600 is longer than WindowMillis 2500");
        set("AutoRemoveAlias", true);
        set("Enabled", false);

        closeResources();
        fixture.stop();
        fixture.start();
        jmx = keep(fixture.jmx());
        listen();

        assertEquals(2500L, jmx.get(MONITOR, "WindowMillis"));
        assertEquals(400L, jmx.get(MONITOR, "SettleMillis"));
        assertEquals(true, jmx.get(MONITOR, "AutoRemoveAlias"));
        assertEquals(30L, jmx.get(MONITOR, "DrainTimeoutSeconds"));
        assertEquals(false, jmx.get(MONITOR, "Enabled"));
        // Disabled: the renumbering goes unnoticed.
        removeOld();
        addNew();
        reAddOld();
        set("Enabled", true);
        ip("addr", "add", "10.9.5.5/24", "dev", "v0");
        awaitPending(line -> line.endsWith("v0: 10.9.5.5/24 added"));
        assertThat((String[]) jmx.get(MONITOR, "RecentDetections")).isEmpty();
        assertThat(monitorEvents.types()).isEmpty();
    }

    // --- the operator's steps ---

    private void removeOld() {
        ip("addr", "del", OLD + "/24", "dev", "v0");
    }

    private void addNew() {
        ip("addr", "add", NEW + "/24", "brd", "+", "dev", "v0");
    }

    private void reAddOld() {
        ip("addr", "add", OLD + "/24", "brd", "+", "dev", "v0", "label", "v0:0");
    }

    private void ip(String... args) {
        fixture.net.ip(fixture.net.a(), args);
    }

    // --- helpers ---

    private List<String> ipv4Addresses() {
        return fixture.net.addresses(fixture.net.a(), "v0").stream().filter(a -> !a.contains(":")).toList();
    }

    private void set(String attribute, Object value) throws Exception {
        jmx.connection().setAttribute(new ObjectName(MONITOR), new Attribute(attribute, value));
    }

    private List<String> pendingSteps() throws Exception {
        return List.of((String[]) jmx.get(MONITOR, "PendingSteps"));
    }

    private void awaitPending(Predicate<String> line) {
        await().until(() -> pendingSteps().stream().anyMatch(line));
    }

    private static Predicate<String> isAdd(String address) {
        return line -> !line.startsWith("Deleted") && line.contains("inet " + address + " ");
    }

    /** Prints, for the closing note, the time from the completing kernel event to each notification. */
    private void printLatency(String what, KernelAddressLog kernel, Predicate<String> completing) {
        Instant event = kernel.find(completing).orElseThrow(() -> new AssertionError(
                "ip monitor did not see the completing event; it saw " + kernel.entries())).time();
        StringBuilder line = new StringBuilder("[latency] " + what + ": kernel event ->");
        for (Timed timed : List.of(monitorEvents, appEvents)) {
            for (Timed.Received r : timed.received) {
                line.append(' ').append(r.notification().getType()).append(" on ").append(timed.mbean)
                        .append(String.format(" %.1f ms;", Duration.between(event, r.at()).toNanos() / 1e6));
            }
        }
        System.out.println(line);
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }

    private Timed listen(String mbean) throws Exception {
        Timed timed = new Timed(mbean.substring(mbean.indexOf("type=") + 5));
        jmx.connection().addNotificationListener(new ObjectName(mbean), timed, null, null);
        return timed;
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    /** A remote listener that notes when each notification arrived. */
    private static final class Timed implements NotificationListener {
        record Received(Notification notification, Instant at) {
        }

        final String mbean;
        final List<Received> received = new CopyOnWriteArrayList<>();

        Timed(String mbean) {
            this.mbean = mbean;
        }

        @Override
        public void handleNotification(Notification notification, Object handback) {
            received.add(new Received(notification, Instant.now()));
        }

        List<String> types() {
            return received.stream().map(r -> r.notification().getType()).toList();
        }

        List<Notification> all() {
            return received.stream().map(Received::notification).toList();
        }

        CompositeData await(String type) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> types().contains(type));
            return received.stream().filter(r -> r.notification().getType().equals(type)).findFirst()
                    .map(r -> (CompositeData) r.notification().getUserData()).orElseThrow();
        }
    }
}
