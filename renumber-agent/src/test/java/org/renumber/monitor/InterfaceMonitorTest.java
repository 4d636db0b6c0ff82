package org.renumber.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeKind;
import org.renumber.domain.ChangeState;
import org.renumber.domain.EventType;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.MonitorSettings;
import org.renumber.domain.NetworkException;
import org.renumber.domain.port.ChangeListener;
import org.renumber.domain.port.KernelPorts;
import org.renumber.journal.MonitorSettingsFile;
import org.renumber.service.AddressChangeService;
import org.renumber.service.SubscriberRegistry;
import org.renumber.testing.InMemoryAddressEvents;
import org.renumber.testing.InMemoryGuard;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemorySettings;
import org.renumber.testing.InMemorySettingsStore;
import org.renumber.testing.InMemorySocketKiller;
import org.renumber.testing.InMemoryTracker;
import org.renumber.testing.MutableClock;

/** The monitor between an in-memory kernel and a real address change service. */
class InterfaceMonitorTest {

    private final InMemoryNetwork network = new InMemoryNetwork().withInterface("v0", "10.9.0.1/24");
    private final InMemoryTracker tracker = new InMemoryTracker();
    private final InMemoryJournal journal = new InMemoryJournal();
    private final AddressChangeService service = new AddressChangeService(
                new KernelPorts(network, tracker, new InMemoryGuard(), new InMemorySocketKiller(tracker)),
                journal, new InMemorySettings(), new SubscriberRegistry(journal), Clock.systemUTC());
    private final InMemoryAddressEvents kernel = new InMemoryAddressEvents(network, Clock.systemUTC());
    private final InMemorySettingsStore store = new InMemorySettingsStore(
            MonitorSettings.DEFAULTS.withWindowMillis(2000).withDrainTimeoutSeconds(30));
    private final List<ChangeEvent> serviceEvents = new CopyOnWriteArrayList<>();
    private final List<DetectedChange> detections = new CopyOnWriteArrayList<>();
    private final List<AddressLoss> losses = new CopyOnWriteArrayList<>();
    private final List<MonitorFailure> failures = new CopyOnWriteArrayList<>();
    private final List<MonitorRecovery> recoveries = new CopyOnWriteArrayList<>();
    private InterfaceMonitor monitor;

    private InterfaceMonitor start() {
        return start(Clock.systemUTC());
    }

    private InterfaceMonitor start(Clock monitorClock) {
        service.addListener(new ChangeListener() {
            @Override
            public void event(ChangeEvent event) {
                serviceEvents.add(event);
            }
        });
        service.start();
        monitor = new InterfaceMonitor(kernel, service, tracker, store, monitorClock);
        monitor.addListener(new InterfaceMonitor.Listener() {
            @Override
            public void renumberingDetected(DetectedChange detected) {
                detections.add(detected);
            }

            @Override
            public void addressLost(AddressLoss loss) {
                losses.add(loss);
            }

            @Override
            public void monitorFailed(MonitorFailure failure) {
                failures.add(failure);
            }

            @Override
            public void monitorRecovered(MonitorRecovery recovery) {
                recoveries.add(recovery);
            }
        });
        monitor.start();
        return monitor;
    }

    @AfterEach
    void stop() {
        if (monitor != null) {
            monitor.close();
        }
        service.close();
    }

    @Test
    void aDetectedRenumberingBecomesADetectedChangeThatReportsTheAliasRemovable() {
        start();
        service.subscribers().subscribe("app", "", "v0");
        kernel.remove("v0", "10.9.0.1/24");
        kernel.add("v0", "10.9.1.1/24", "v0");
        kernel.add("v0", "10.9.0.1/24", "v0:0");

        await().until(() -> detections.size() == 1);
        DetectedChange detected = detections.get(0);
        assertNull(detected.error());
        var change = service.change(detected.changeId()).orElseThrow();
        assertEquals(ChangeKind.DETECTED, change.request().kind());
        assertEquals("10.9.0.1/24", change.request().oldAddress().toString());
        assertEquals("10.9.1.1/24", change.request().newAddress().toString());
        assertEquals(30, change.request().drainTimeoutSeconds());
        assertEquals(false, change.request().removeOldAddress());
        await().until(() -> serviceEvents.stream().anyMatch(e -> e.type() == EventType.ALIAS_REMOVABLE));
        assertThat(serviceEvents).extracting(ChangeEvent::type).containsSubsequence(EventType.INTERFACE_CHANGED,
                EventType.STARTED, EventType.ALIAS_REMOVABLE);
        assertThat(serviceEvents.get(0).recipients()).containsExactly("app");
        assertThat(network.addresses("v0")).extracting(Object::toString).contains("10.9.0.1/24", "10.9.1.1/24");
        assertThat(monitor.recentDetections()).singleElement().asString()
                .contains("v0: 10.9.0.1/24 -> 10.9.1.1/24, old address kept as 10.9.0.1/24 (v0:0); change "
                        + detected.changeId());
    }

    @Test
    void withAutoRemoveAliasTheAgentRemovesTheAliasAndTheChangeCompletes() {
        store.save(store.saved().withAutoRemoveAlias(true));
        start();
        kernel.remove("v0", "10.9.0.1/24");
        kernel.add("v0", "10.9.1.1/24", "v0");
        kernel.add("v0", "10.9.0.1/24", "v0:0");

        await().until(() -> detections.size() == 1);
        assertEquals(ChangeState.COMPLETED, awaitChange(detections.get(0).changeId()));
        assertThat(network.addresses("v0")).extracting(Object::toString).containsExactly("10.9.1.1/24");
        await().until(() -> serviceEvents.stream().anyMatch(e -> e.type() == EventType.COMPLETED));
        assertThat(detections).hasSize(1);
        assertThat(losses).isEmpty();
    }

    @Test
    void aDetectionWhileAnotherChangeRunsOnTheInterfaceIsReportedWithTheReason() throws Exception {
        network.withInterface("v0", "10.9.0.1/24", "10.30.0.1/24");
        start();
        tracker.setConnections(IpLiterals.parse("10.30.0.1"), 1);
        String running = service.changeAddress("v0", "10.30.0.1", "10.30.1.1/24", "", 60);
        await().until(() -> service.change(running).orElseThrow().progress().state() == ChangeState.DRAINING);

        kernel.remove("v0", "10.9.0.1/24");
        kernel.add("v0", "10.9.1.1/24", "v0");
        kernel.add("v0", "10.9.0.1/24", "v0:0");

        await().until(() -> detections.size() == 1);
        assertNull(detections.get(0).changeId());
        assertThat(detections.get(0).error()).contains("already running on v0");
        assertThat(monitor.recentDetections()).singleElement().asString().contains("detected, not followed");
        service.cancelChange(running);
    }

    @Test
    void anAddressRemovedUnderConnectionsIsReportedLostAfterTheWindow() {
        start();
        tracker.setConnections(IpLiterals.parse("10.9.0.1"), 2);
        kernel.remove("v0", "10.9.0.1/24");
        await().until(() -> monitor.pendingSteps().stream().anyMatch(l -> l.contains("removed with 2 connection(s)")));

        await().until(() -> losses.size() == 1);
        assertEquals(2, losses.get(0).connections());
        assertEquals("10.9.0.1/24", losses.get(0).address().address().toString());
        assertThat(monitor.recentDetections()).singleElement().asString()
                .contains("v0: 10.9.0.1/24 removed and lost; 2 connection(s) broke");
        assertThat(monitor.pendingSteps()).isEmpty();
    }

    @Test
    void settingsAreValidatedAppliedAndPersisted() {
        start();
        monitor.setWindowMillis(1500);
        monitor.setDrainTimeoutSeconds(0);
        monitor.setAutoRemoveAlias(true);
        monitor.setSettleMillis(1500);
        assertEquals(new MonitorSettings(true, 1500, 1500, true, 0), store.saved());

        assertThatThrownBy(() -> monitor.setWindowMillis(5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("WindowMillis 5 is out of range: use 100 to 600000 milliseconds (10 minutes)");
        assertThatThrownBy(() -> monitor.setDrainTimeoutSeconds(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DrainTimeoutSeconds -1 is out of range");
        store.failNextSave(new IllegalStateException("disk full"));
        assertThatThrownBy(() -> monitor.setWindowMillis(3000)).hasMessage("disk full");
        assertEquals(new MonitorSettings(true, 1500, 1500, true, 0), monitor.settings());
        assertEquals(monitor.settings(), store.saved());
    }

    @Test
    void aSettleTimeOutsideZeroToTheWindowIsRefusedAndChangesNothing() {
        start();
        monitor.setSettleMillis(0);
        monitor.setSettleMillis(2000);
        assertEquals(2000, store.saved().settleMillis());

        assertThatThrownBy(() -> monitor.setSettleMillis(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SettleMillis -1 is out of range: use 0 to WindowMillis (2000) milliseconds");
        assertThatThrownBy(() -> monitor.setSettleMillis(2001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SettleMillis 2001 is longer than WindowMillis 2000: use 0 to WindowMillis milliseconds, "
                        + "and lower SettleMillis before WindowMillis");
        assertThatThrownBy(() -> monitor.setWindowMillis(1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SettleMillis 2000 is longer than WindowMillis 1000");
        assertEquals(MonitorSettings.DEFAULTS.withWindowMillis(2000).withDrainTimeoutSeconds(30).withSettleMillis(2000),
                monitor.settings());
        assertEquals(monitor.settings(), store.saved());
    }

    @Test
    void theDetectorWaitsTheConfiguredSettleTimeAndAShorterOneAppliesAtOnce() {
        store.save(store.saved().withWindowMillis(600_000).withSettleMillis(600_000));
        start();
        // ifconfig v0 10.9.1.1 (classful /8), then the old address back as an alias
        kernel.remove("v0", "10.9.0.1/24");
        kernel.add("v0", "10.9.1.1/8", "v0");
        kernel.add("v0", "10.9.0.1/24", "v0:0");
        await().until(() -> monitor.pendingSteps().size() == 3);
        assertThat(detections).as("the pattern waits ten minutes for a netmask").isEmpty();

        monitor.setSettleMillis(0);

        await().until(() -> detections.size() == 1);
        assertEquals("10.9.1.1/8", detections.get(0).renumbering().newAddress().address().toString());
        assertThat(monitor.pendingSteps()).isEmpty();
    }

    @Test
    void settingsAreReloadedFromTheStateDirectoryAfterARestart(@TempDir Path stateDir) {
        service.start();
        try (InterfaceMonitor first = new InterfaceMonitor(kernel, service, tracker, new MonitorSettingsFile(stateDir),
                Clock.systemUTC())) {
            first.start();
            first.setWindowMillis(4000);
            first.setSettleMillis(600);
        }

        try (InterfaceMonitor restarted = new InterfaceMonitor(kernel, service, tracker,
                new MonitorSettingsFile(stateDir), Clock.systemUTC())) {
            assertEquals(4000, restarted.settings().windowMillis());
            assertEquals(600, restarted.settings().settleMillis());
        }
    }

    @Test
    void disablingStopsWatchingAndEnablingStartsAgainFromAFreshSnapshot() {
        start();
        assertThat(kernel.isWatched()).isTrue();
        kernel.remove("v0", "10.9.0.1/24");
        monitor.setEnabled(false);
        assertThat(kernel.isWatched()).isFalse();
        assertEquals(false, store.saved().enabled());

        monitor.setEnabled(true);
        assertThat(kernel.isWatched()).isTrue();
        assertEquals(2, kernel.watchesOpened());
        kernel.add("v0", "10.9.1.1/24", "v0");
        kernel.add("v0", "10.9.0.1/24", "v0:0");
        await().until(() -> monitor.pendingSteps().size() == 2);
        assertThat(detections).as("the removal was seen before the monitor was disabled").isEmpty();
    }

    @Test
    void aDisabledMonitorDoesNotWatchAtStart() {
        store.save(store.saved().withEnabled(false));
        start();
        assertThat(kernel.isWatched()).isFalse();
        assertThat(monitor.pendingSteps()).isEmpty();
    }

    // --- a failing event source ---

    @Test
    void aFailedEventSourceIsReopenedAndARenumberingAcrossTheGapIsDetected() {
        start();
        assertThat(monitor.isListening()).isTrue();
        assertEquals("", monitor.lastError());
        kernel.remove("v0", "10.9.0.1/24");
        await().until(() -> monitor.pendingSteps().size() == 1);
        kernel.refuseWatches(new NetworkException("open rtnetlink socket failed: EMFILE (Too many open files)", 24));

        kernel.failWatch(new NetworkException("receive address events failed: EIO (I/O error)", 5));

        await().until(() -> monitor.lastError().contains("EMFILE"));
        assertThat(monitor.isListening()).isFalse();
        assertThat(failures).singleElement().satisfies(f -> {
            assertEquals("receive address events failed: EIO (I/O error)", f.reason());
            assertEquals(ReopeningWatch.FIRST_RETRY, f.retryIn());
        });
        // unseen while the events are down: the rest of the renumbering
        kernel.add("v0", "10.9.1.1/24", "v0");
        kernel.add("v0", "10.9.0.1/24", "v0:0");
        kernel.acceptWatches();

        await().until(() -> detections.size() == 1);
        Renumbering found = detections.get(0).renumbering();
        assertEquals("10.9.0.1/24", found.oldAddress().address().toString());
        assertEquals("v0:0", found.oldAddress().label());
        assertEquals("10.9.1.1/24", found.newAddress().address().toString());
        assertThat(monitor.isListening()).isTrue();
        assertEquals("", monitor.lastError());
        assertThat(recoveries).singleElement().satisfies(r -> {
            assertEquals(failures.get(0).failedAt(), r.failedAt());
            assertThat(r.attempts()).isGreaterThanOrEqualTo(2);
        });
        assertThat(failures).as("one failure notice per outage, however many reopens failed").hasSize(1);
    }

    @Test
    void reopenDelaysDoubleFromTheFirstToTheLastRetry() {
        assertThat(List.of(1, 2, 3, 4, 7, 8, 9, 1000)).extracting(ReopeningWatch::retryDelay).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800),
                Duration.ofMillis(6400), Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    @Test
    void aWatchFailingRightAfterItsReopenWaitsLongerAndOneThatHeldStartsOver() {
        MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
        start(clock);

        kernel.failWatch(new NetworkException("first", 5));
        await().until(() -> recoveries.size() == 1);
        kernel.failWatch(new NetworkException("second", 5));
        await().until(() -> recoveries.size() == 2);
        clock.advance(ReopeningWatch.LAST_RETRY);
        kernel.failWatch(new NetworkException("third", 5));
        await().until(() -> recoveries.size() == 3);

        assertThat(failures).extracting(MonitorFailure::retryIn).containsExactly(
                Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(100));
        assertThat(recoveries).extracting(MonitorRecovery::attempts).containsExactly(1, 1, 1);
        assertEquals(4, kernel.watchesOpened());
    }

    @Test
    void aLossWhoseWindowEndsDuringAnOutageIsDecidedByTheCatchUp() {
        MutableClock clock = new MutableClock(Instant.now());
        start(clock);
        tracker.setConnections(IpLiterals.parse("10.9.0.1"), 2);
        kernel.remove("v0", "10.9.0.1/24");
        await().until(() -> monitor.pendingSteps().stream().anyMatch(l -> l.contains("removed with 2 connection(s)")));
        kernel.refuseWatches(new NetworkException("open rtnetlink socket failed: EMFILE", 24));
        kernel.failWatch(new NetworkException("receive address events failed: EIO", 5));
        await().until(() -> monitor.lastError().contains("EMFILE"));

        kernel.add("v0", "10.9.0.1/24", "v0"); // put back, unseen
        clock.advance(store.saved().window().plusSeconds(1));
        monitor.setSettleMillis(100); // makes the monitor decide what time decides, now past the loss's window
        kernel.acceptWatches();

        await().until(() -> monitor.pendingSteps().stream().anyMatch(l -> l.endsWith("v0: 10.9.0.1/24 added")));
        assertThat(recoveries).hasSize(1);
        assertThat(losses).as("the address came back during the outage").isEmpty();
    }

    @Test
    void disablingDuringAnOutageEndsItAndEnablingStartsFromAFreshSnapshot() {
        start();
        kernel.refuseWatches(new NetworkException("open rtnetlink socket failed: EMFILE", 24));
        kernel.failWatch(new NetworkException("receive address events failed: EIO", 5));
        await().until(() -> monitor.lastError().contains("EMFILE"));

        monitor.setEnabled(false);
        assertThat(monitor.isListening()).isFalse();
        assertEquals("", monitor.lastError());
        kernel.acceptWatches();
        monitor.setEnabled(true);

        assertThat(monitor.isListening()).isTrue();
        assertEquals("", monitor.lastError());
        assertThat(recoveries).as("enabled by the operator, not recovered").isEmpty();
    }

    private ChangeState awaitChange(String id) {
        try {
            return service.awaitChange(id, 30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
