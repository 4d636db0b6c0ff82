package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeWarning;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeKind;
import org.renumber.domain.ChangeState;
import org.renumber.domain.EventType;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.Outcome;
import org.renumber.domain.port.KernelPorts;
import org.renumber.testing.InMemoryGuard;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryKernel;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemorySettings;
import org.renumber.testing.InMemorySocketKiller;
import org.renumber.testing.InMemorySocketOwners;
import org.renumber.testing.InMemoryTracker;

/**
 * migrateSubscribers: two applications share 10.9.0.1; only the targets move, only their connections count, and the
 * old address, its routes and its traffic stay as they are for the other application.
 */
class PartialMigrationTest {

    private static final InetAddress OLD = IpLiterals.parse("10.9.0.1");
    private static final long BILLING_PID = 4100;
    private static final long SHOP_PID = 4200;

    private final InMemoryKernel kernel = new InMemoryKernel(new InMemoryNetwork().withInterface("v0", "10.9.0.1/24")
            .withInterface("v1", "10.20.0.1/24"));
    private final InMemoryNetwork network = kernel.network;
    private final InMemoryTracker tracker = kernel.tracker;
    private final InMemoryGuard guard = kernel.guard;
    private final InMemorySocketKiller killer = kernel.killer;
    private final InMemorySocketOwners owners = kernel.owners;
    private final InMemoryJournal journal = kernel.journal;
    private final InMemorySettings settings = kernel.settings;
    private final List<ChangeEvent> events = new CopyOnWriteArrayList<>();
    private AddressChangeService service;

    @BeforeEach
    void start() {
        service = kernel.startService(events::add);
        service.subscribers().subscribe("billing", "web", "");
        service.subscribers().recordPid("billing", BILLING_PID);
        service.subscribers().subscribe("shop", "shop", "");
        service.subscribers().recordPid("shop", SHOP_PID);
        // billing holds sockets 11 and 12 on the old address, shop holds 21.
        owners.own(BILLING_PID, 11, 12).own(SHOP_PID, 21);
        tracker.setSockets(OLD, 11, 12, 21);
    }

    @AfterEach
    void stop() {
        service.close();
    }

    private Change change(String id) {
        return service.change(id).orElseThrow();
    }

    @Test
    void theMigrationCompletesWhenTheTargetsConnectionsCloseAndKeepsTheOldAddress() throws Exception {
        String id = service.migrateSubscribers("v0", "10.9.0.1", "10.9.0.7/24", "billing", 60);

        await().until(() -> change(id).progress().state() == ChangeState.DRAINING
                && change(id).progress().remainingConnections() == 2);
        assertEquals(ChangeKind.MIGRATION, change(id).request().kind());
        assertFalse(change(id).request().removeOldAddress());
        assertThat(network.addresses("v0")).extracting(Object::toString)
                .containsExactly("10.9.0.1/24", "10.9.0.7/24");
        assertEquals(OLD, network.connectedRouteSource("v0", InterfaceAddress.parse("10.9.0.1/24")),
                "outbound traffic is not steered: the other application keeps leaving from the old address");

        tracker.setSockets(OLD, 12, 21);
        await().until(() -> change(id).progress().remainingConnections() == 1);
        owners.own(BILLING_PID);
        tracker.setSockets(OLD, 21); // shop's connection stays

        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertEquals(Outcome.DRAINED, change(id).progress().outcome());
        assertThat(network.addresses("v0")).extracting(Object::toString)
                .containsExactly("10.9.0.1/24", "10.9.0.7/24");
        List<ChangeEvent> mine = events.stream().filter(e -> e.change().id().equals(id)).toList();
        assertThat(mine).extracting(ChangeEvent::type)
                .containsExactly(EventType.STARTED, EventType.DRAINED, EventType.COMPLETED);
        assertThat(mine).allSatisfy(e -> assertThat(e.recipients()).containsExactly("billing"));
        assertThat(mine).allSatisfy(e -> assertThat(e.message()).contains("10.9.0.1/24 stays configured"));
    }

    @Test
    void aScheduledMigrationWarnsOnlyItsTargetsAndStartsWhenTheyAreReady() throws Exception {
        String id = service.scheduleMigration("v0", "10.9.0.1", "10.9.0.7/24", "billing", 60, 3600);

        await().until(() -> change(id).progress().state() == ChangeState.WARNING);
        assertEquals(ChangeKind.MIGRATION, change(id).request().kind());
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24");
        ChangeEvent warning = events.get(0);
        assertEquals(EventType.WARNING, warning.type());
        assertThat(warning.recipients()).containsExactly("billing");
        assertThat(warning.message()).contains("ready(\"" + id + "\")").contains("10.9.0.1/24 stays configured");

        service.acknowledge(id, "billing");
        await().until(() -> change(id).progress().state() == ChangeState.DRAINING
                && change(id).progress().remainingConnections() == 2);
        assertEquals(ChangeWarning.StartReason.ALL_TARGETS_READY, change(id).request().warning().startReason());
        owners.own(BILLING_PID);
        tracker.setSockets(OLD, 21); // shop's connection stays

        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(network.addresses("v0")).extracting(Object::toString)
                .containsExactly("10.9.0.1/24", "10.9.0.7/24");
        assertThat(events).filteredOn(e -> e.change().id().equals(id)).extracting(ChangeEvent::type)
                .containsExactly(EventType.WARNING, EventType.STARTED, EventType.DRAINED, EventType.COMPLETED);
        assertThat(events).allSatisfy(e -> assertThat(e.recipients()).containsExactly("billing"));
    }

    @Test
    void aScheduledMigrationIsValidatedLikeAMigrationAndAWarning() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.scheduleMigration("v0", "10.9.0.1", "10.9.0.7/24", "billing", 60, 0)))
                .hasMessageContaining("warningSeconds 0 is out of range: use 1 to 86400")
                .hasMessageContaining("use migrateSubscribers");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.scheduleMigration("v0", "10.9.0.1", "10.9.0.7/24", "", 60, 10)))
                .hasMessageContaining("targets is required for a migration");
        service.subscribers().subscribe("nopid", "", "");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.scheduleMigration("v0", "10.9.0.1", "10.9.0.7/24", "nopid", 60, 10)))
                .hasMessageContaining("subscriber 'nopid' has no process id recorded");
        assertThat(service.activeChanges()).isEmpty();
        assertThat(journal.changes()).isEmpty();
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24");
    }

    @Test
    void aRestartDuringTheWarningOfAMigrationResumesItAsAMigration() throws Exception {
        String id = service.scheduleMigration("v0", "10.9.0.1", "10.9.0.7/24", "billing", 60, 3600);
        await().until(() -> change(id).progress().state() == ChangeState.WARNING);
        service.close();
        events.clear();

        service = kernel.startService(events::add);

        await().until(() -> !events.isEmpty());
        assertThat(events.get(0).message()).startsWith("resumed after agent restart")
                .contains("10.9.0.1/24 stays configured");
        assertEquals(ChangeKind.MIGRATION, change(id).request().kind());
        service.acknowledge(id, "billing");
        await().until(() -> change(id).progress().state() == ChangeState.DRAINING
                && change(id).progress().remainingConnections() == 2);
        owners.own(BILLING_PID);
        tracker.setSockets(OLD, 21);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(network.addresses("v0")).extracting(Object::toString)
                .containsExactly("10.9.0.1/24", "10.9.0.7/24");
    }

    @Test
    void aScheduledMigrationCancelledDuringItsWarningLeavesEverythingAsItWas() throws Exception {
        String id = service.scheduleMigration("v0", "10.9.0.1", "10.9.0.7/24", "billing", 60, 3600);
        await().until(() -> change(id).progress().state() == ChangeState.WARNING);

        service.cancelChange(id);

        assertEquals(ChangeState.CANCELLED, service.awaitChange(id, 10));
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24");
        assertThat(events).filteredOn(e -> e.change().id().equals(id)).extracting(ChangeEvent::type)
                .containsExactly(EventType.WARNING, EventType.CANCELLED);
    }

    @Test
    void aProcessInItsOwnPidNamespaceIsRecordedByTheIdTheAgentSeesItBy() {
        owners.inContainer("pid:[4026532710]", 1, 5100);

        assertEquals(5100, service.recordProcess("billing", 1, "pid:[4026532710]"));

        assertEquals(5100, service.subscribers().find("billing").orElseThrow().pid());
        assertEquals(5100, journal.subscriptions().stream().filter(s -> s.subscriberId().equals("billing"))
                .findFirst().orElseThrow().pid(), "persisted");
        assertEquals(4300, service.recordProcess("billing", 4300, ""), "the agent's own namespace: as it is");
    }

    @Test
    void recordProcessRefusesWhatItCannotUseAndKeepsThePidItHad() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.recordProcess("billing", 0, ""))).hasMessageContaining("pid 0 is not a process id");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.recordProcess("billing", 7, "net:[4026532710]")))
                .hasMessageContaining("pidNamespace 'net:[4026532710]' is not what /proc/self/ns/pid reads");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.recordProcess("nobody", 7, ""))).hasMessageContaining("no subscriber with id 'nobody'");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.recordProcess("billing", 7, "pid:[4026532999]")))
                .hasMessageContaining("no process 7 of PID namespace pid:[4026532999]");

        assertEquals(BILLING_PID, service.subscribers().find("billing").orElseThrow().pid());
    }

    @Test
    void aMigrationNeitherGuardsNorForceClosesTheSharedAddress() throws Exception {
        service.setGuardNewConnections(true);
        service.setForceCloseAtDeadline(true);

        String id = service.migrateSubscribers("v0", "10.9.0.1", "10.9.0.7/24", "billing", 0);

        assertEquals(ChangeState.TIMED_OUT, service.awaitChange(id, 10));
        assertThat(change(id).progress().error()).startsWith("2 connection(s)");
        assertFalse(change(id).progress().steps().guardApplied());
        assertThat(guard.isGuarded(OLD)).isFalse();
        assertThat(change(id).progress().steps().forceClosed()).isNull();
        assertThat(tracker.sockets(OLD)).hasSize(3);
        assertThat(network.addresses("v0")).extracting(Object::toString).contains("10.9.0.1/24");
    }

    @Test
    void aNewAddressAlreadyOnTheInterfaceIsReusedAndKeptOnCancel() throws Exception {
        network.addAddress("v0", InterfaceAddress.parse("10.9.0.7/24"));
        String id = service.migrateSubscribers("v0", "10.9.0.1", "10.9.0.7/24", "group:web", 60);
        await().until(() -> change(id).progress().state() == ChangeState.DRAINING);
        assertFalse(change(id).progress().steps().newAddressAdded());

        service.cancelChange(id);

        assertThat(network.addresses("v0")).extracting(Object::toString)
                .containsExactly("10.9.0.1/24", "10.9.0.7/24");
    }

    @Test
    void badMigrationsAreRefusedBeforeAnythingIsTouched() {
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.migrateSubscribers("v0", "10.9.0.1", "10.9.0.7/24", "", 60)))
                .hasMessageContaining("targets is required for a migration");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.migrateSubscribers("v0", "10.9.0.1", "10.20.0.1/24", "billing", 60)))
                .hasMessageContaining("already configured on v1");
        service.subscribers().subscribe("nopid", "", "");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.migrateSubscribers("v0", "10.9.0.1", "10.9.0.7/24", "billing,nopid", 60)))
                .hasMessageContaining("subscriber 'nopid' has no process id recorded");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> service.migrateSubscribers("v0", "10.9.0.1", "10.9.0.7/24", "nobody", 60)))
                .hasMessageContaining("unknown subscriber id 'nobody'");
        assertThat(service.activeChanges()).isEmpty();
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.0.1/24");
    }

    @Test
    void anAgentThatCannotTellSocketOwnersRefusesMigrations() {
        AddressChangeService blind = new AddressChangeService(new KernelPorts(network, tracker, guard, killer),
                new InMemoryJournal(), settings, new SubscriberRegistry(new InMemoryJournal()), Clock.systemUTC());
        try {
            assertThat(assertThrows(IllegalStateException.class,
                    () -> blind.migrateSubscribers("v0", "10.9.0.1", "10.9.0.7/24", "billing", 60)))
                    .hasMessageContaining("cannot tell which process owns a socket");
        } finally {
            blind.close();
        }
    }

    @Test
    void holdersNameTheProcessesStillOnAnAddress() {
        assertThat(service.holders(OLD)).containsExactly("4100 app-4100: 2 connections", "4200 app-4200: 1 connection");
        tracker.setSockets(OLD);
        assertThat(service.holders(OLD)).isEmpty();
    }
}
