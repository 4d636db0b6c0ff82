package org.renumber.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.ChangeState;
import org.renumber.domain.LegacyApplication;
import org.renumber.domain.port.ApplicationStore;
import org.renumber.jmx.ServiceFixture;
import org.renumber.testing.FakeProcesses;

/** The monitor's decisions and steps, driven by the real service on the in-memory kernel and a fake process table. */
class ApplicationMonitorTest {

    private static final String OLD = "10.9.0.1";
    private static final String NEW = "10.9.1.1/24";
    /** The in-memory tracker numbers the sockets on an address from inode 1000. */
    private static final long SOCKET_ON_OLD = 1000L;

    private final ServiceFixture fixture = new ServiceFixture();
    private final FakeProcesses processes = new FakeProcesses();
    private final MemoryStore store = new MemoryStore();
    private final List<ApplicationEvent> events = new CopyOnWriteArrayList<>();
    private ApplicationMonitor monitor;

    @BeforeEach
    void start() throws Exception {
        fixture.start();
        monitor = new ApplicationMonitor(store, processes, fixture.tracker);
        monitor.addListener(events::add);
        fixture.service.addListener(monitor);
        fixture.tracker.setConnections(InetAddress.getByName(OLD), 1);
    }

    @AfterEach
    void stop() {
        monitor.close();
        fixture.close();
    }

    @Test
    void aProcessHoldingTheOldAddressGetsTermAndTheRestartCommandRunsWithTheChangeInItsEnvironment() throws Exception {
        long old = processes.run("legacy-server --port 8080", SOCKET_ON_OLD);
        processes.restartStarts("legacy-server --port 8080");
        monitor.declare("legacy", "", "legacy-server", "exec legacy-server --bind $RENUMBER_NEW_ADDRESS", 5, 30);

        String id = fixture.service.changeAddress("v0", OLD, NEW, "", 60);

        await().until(() -> events.size() == 1);
        ApplicationEvent event = events.get(0);
        assertEquals(ApplicationEvent.Type.RESTARTED, event.type());
        assertEquals(id, event.changeId());
        assertThat(event.stopped()).containsExactly(old);
        assertThat(event.killed()).isEmpty();
        assertThat(event.started()).hasSize(1).doesNotContain(old);
        assertThat(processes.signals).containsExactly("TERM " + old);
        assertThat(processes.environments.get(0)).containsEntry("RENUMBER_NEW_ADDRESS", "10.9.1.1")
                .containsEntry("RENUMBER_OLD_ADDRESS", OLD).containsEntry("RENUMBER_NEW_PREFIX", "24")
                .containsEntry("RENUMBER_CHANGE_ID", id).containsEntry("RENUMBER_APPLICATION", "legacy")
                .containsEntry("RENUMBER_INTERFACE", "v0");
        assertThat(monitor.recentEvents()).containsExactly(event);
    }

    @Test
    void aProcessIgnoringTermIsKilledWhenTheGracePeriodEnds() {
        long stubborn = processes.run("legacy-server", java.util.Set.of(SOCKET_ON_OLD), true);
        processes.restartStarts("legacy-server");
        monitor.declare("legacy", "", "legacy-server", "legacy-server &", 0, 30);

        fixture.service.changeAddress("v0", OLD, NEW, "", 60);

        await().until(() -> events.size() == 1);
        assertEquals(ApplicationEvent.Type.RESTARTED, events.get(0).type());
        assertThat(events.get(0).killed()).containsExactly(stubborn);
        assertThat(processes.signals).containsExactly("TERM " + stubborn, "KILL " + stubborn);
    }

    @Test
    void applicationsNotHoldingTheOldAddressOrNotTargetedAreLeftAlone() throws Exception {
        long elsewhere = processes.run("quiet-server", 4242L);
        long otherGroup = processes.run("db-server", SOCKET_ON_OLD);
        long targeted = processes.run("web-server", SOCKET_ON_OLD);
        processes.restartStarts("web-server");
        monitor.declare("quiet", "web", "quiet-server", "quiet-server", 0, 30);
        monitor.declare("db", "db", "db-server", "db-server", 0, 30);
        monitor.declare("web", "web", "web-server", "web-server", 0, 30);
        fixture.service.subscribers().subscribe("web-app", "web", "");

        fixture.service.changeAddress("v0", OLD, NEW, "group:web", 60);

        await().until(() -> events.size() == 1);
        assertEquals("web", events.get(0).application());
        assertThat(processes.signals).containsExactly("TERM " + targeted);
        assertThat(processes.isRunning(elsewhere)).isTrue();
        assertThat(processes.isRunning(otherGroup)).isTrue();
    }

    @Test
    void withoutARestartCommandTheSupervisorsNewProcessIsWaitedFor() {
        long old = processes.run("supervised-app", SOCKET_ON_OLD);
        processes.supervisorStarts("supervised-app");
        monitor.declare("supervised", "", "supervised-app", "", 10, 30);

        fixture.service.changeAddress("v0", OLD, NEW, "", 60);

        await().until(() -> events.size() == 1);
        assertEquals(ApplicationEvent.Type.RESTARTED, events.get(0).type());
        assertThat(events.get(0).message()).contains("by its supervisor");
        assertThat(events.get(0).started()).doesNotContain(old).hasSize(1);
        assertThat(processes.environments).as("no command runs").isEmpty();
    }

    @Test
    void aRestartCommandThatFailsIsReportedWithItsStatus() {
        processes.run("legacy-server", SOCKET_ON_OLD);
        processes.restartExits(3);
        monitor.declare("legacy", "", "legacy-server", "false", 0, 30);

        fixture.service.changeAddress("v0", OLD, NEW, "", 60);

        await().until(() -> events.size() == 1);
        assertEquals(ApplicationEvent.Type.FAILED, events.get(0).type());
        assertThat(events.get(0).message()).contains("exited with status 3");
    }

    @Test
    void noNewProcessWithinTheStartupTimeoutIsAFailure() {
        processes.run("legacy-server", SOCKET_ON_OLD);
        monitor.declare("legacy", "", "legacy-server", "sleep 1000", 0, 2);

        String id = fixture.service.changeAddress("v0", OLD, NEW, "", 60);

        await().until(() -> events.size() == 1);
        assertEquals(ApplicationEvent.Type.FAILED, events.get(0).type());
        assertThat(events.get(0).message()).contains("no new process matching 'legacy-server' appeared within 2 s",
                "still running");
        assertThat(fixture.service.change(id).orElseThrow().progress().state()).isEqualTo(ChangeState.DRAINING);
    }

    @Test
    void eachApplicationWaitsForItsNewProcessAsLongAsItsOwnStartupTime() {
        processes.run("quick-server", SOCKET_ON_OLD);
        processes.run("slow-server", SOCKET_ON_OLD);
        monitor.declare("quick", "", "quick-server", "sleep 1000", 0, 1);
        monitor.declare("slow", "", "slow-server", "sleep 1000", 0, 600);

        fixture.service.changeAddress("v0", OLD, NEW, "", 60);

        await().until(() -> events.size() == 1);
        assertEquals("quick", events.get(0).application());
        assertEquals(ApplicationEvent.Type.FAILED, events.get(0).type());
        assertThat(events.get(0).message()).contains("appeared within 1 s");
        // The quick one's startup time is over; the slow one is still waited for.
        long slowStarted = processes.run("slow-server");
        await().until(() -> events.size() == 2);
        assertEquals("slow", events.get(1).application());
        assertEquals(ApplicationEvent.Type.RESTARTED, events.get(1).type());
        assertThat(events.get(1).started()).containsExactly(slowStarted);
    }

    @Test
    void declarationsAreValidatedPersistedAndNamesAreUnique() {
        monitor.declare("legacy", "web", "legacy-server --port \\d+", "", 30, 300);

        assertThat(new ApplicationMonitor(store, processes, fixture.tracker).applications())
                .containsExactly(new LegacyApplication("legacy", "web", "legacy-server --port \\d+", "", 30, 300));
        assertThat(monitor.applications().get(0).describe()).endsWith(" grace=30s startup=300s");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> monitor.declare("legacy", "", "x", "", 0, 60)).getMessage()).contains("already declared");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> monitor.declare("bad", "", "(unclosed", "", 0, 60)).getMessage()).contains("not a valid regular");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> monitor.declare("bad", "", "x", "", -1, 60)).getMessage())
                .contains("graceSeconds -1 is out of range");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> monitor.declare("bad", "", "x", "", 0, 0)).getMessage())
                .isEqualTo("startupSeconds 0 is out of range: use 1 to 3600");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> monitor.declare("bad", "", "x", "", 0, 3601)).getMessage())
                .isEqualTo("startupSeconds 3601 is out of range: use 1 to 3600");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> monitor.declare("bad/name", "", "x", "", 0, 60)).getMessage()).contains("is invalid");
        assertThat(store.load()).as("nothing refused is declared").extracting(LegacyApplication::name)
                .containsExactly("legacy");
        assertThat(assertThrows(IllegalArgumentException.class,
                () -> monitor.remove("ghost")).getMessage()).contains("no application named 'ghost'");
        monitor.remove("legacy");
        assertThat(store.load()).isEmpty();
    }

    @Test
    void groupTargetingFollowsTheTargetsExpression() {
        LegacyApplication web = new LegacyApplication("a", "web", "x", "", 0, 60);
        LegacyApplication none = new LegacyApplication("b", "", "x", "", 0, 60);
        assertThat(web.targetedBy("")).isTrue();
        assertThat(none.targetedBy("")).isTrue();
        assertThat(web.targetedBy("app1, group:web")).isTrue();
        assertThat(web.targetedBy("group:db,app1")).isFalse();
        assertThat(web.targetedBy("web")).as("a subscriber id, not a group").isFalse();
        assertThat(none.targetedBy("group:web")).isFalse();
    }

    private static final class MemoryStore implements ApplicationStore {
        private List<LegacyApplication> saved = List.of();

        @Override
        public synchronized List<LegacyApplication> load() {
            return saved;
        }

        @Override
        public synchronized void save(List<LegacyApplication> applications) {
            saved = List.copyOf(applications);
        }
    }
}
