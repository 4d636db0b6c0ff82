package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.JolokiaHttp;
import org.renumber.testing.JvmProcess;
import org.renumber.testing.KernelTest;
import org.renumber.testing.LegacyServer;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;
import org.renumber.testing.Supervisor;

/**
 * Legacy servers that know nothing of Renumber, in their own processes inside the managed namespace: the
 * ApplicationMonitor stops the one holding the old address (SIGTERM, then SIGKILL, since it ignores SIGTERM),
 * restarts it with its restart command, and it comes back listening on the new address; a declared application
 * that does not use the old address is left alone. A server declared without a restart command runs under a
 * {@link Supervisor} that restarts it as systemd's {@code Restart=always} would; when that supervisor gives up,
 * the monitor reports the failure and the change still completes.
 */
@KernelTest
class ApplicationMonitorEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String MONITOR = "renumber:type=ApplicationMonitor";
    private static final String[] DECLARE = {"java.lang.String", "java.lang.String", "java.lang.String",
            "java.lang.String", "long", "long"};
    private static final String OLD = "10.9.0.1";
    private static final String NEW = "10.9.0.7";

    /** Makes the legacy servers' command lines unique to this test run. */
    private final String marker = "rn-it-app-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private AgentFixture fixture;

    @BeforeEach
    void startAgent() {
        fixture = new AgentFixture("rn-it-app-");
    }

    @AfterEach
    void stopEverything() {
        try {
            fixture.close();
        } finally {
            // The restarted servers are the agent's children in their own sessions, and a supervisor killed before
            // it could stop its service leaves the service behind: end them by their marker. A supervisor may start
            // a service between the listing and its own end, hence until none is left.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                List<ProcessHandle> left = ProcessHandle.allProcesses()
                        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)).toList();
                left.forEach(ProcessHandle::destroyForcibly);
                return left.isEmpty();
            });
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return fixture.keep(resource);
    }

    private JvmProcess legacyServer(String address, String port, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of(address, port, marker));
        args.addAll(List.of(options));
        JvmProcess server = keep(JvmProcess.start(fixture.net.a(), Map.of(), LegacyServer.class,
                args.toArray(String[]::new)));
        await().atMost(Duration.ofSeconds(60)).until(() -> server.printed("READY") || !server.isAlive());
        assertThat(server.lines()).as("legacy server output").contains("READY");
        return server;
    }

    /**
     * A {@link LegacyServer} on every address (0.0.0.0, as services under systemd usually listen), run by a
     * {@link Supervisor} that restarts it {@code restarts} times; returns once the server is ready. What ties such a
     * server to the old address is the connections clients opened to it.
     */
    private JvmProcess supervisedServer(String port, int restarts, String... options) throws Exception {
        String service = String.join(" ", LegacyServer.class.getName(), "0.0.0.0", port, marker,
                String.join(" ", options));
        JvmProcess supervisor = keep(JvmProcess.start(fixture.net.a(), Map.of(Supervisor.SERVICE, service),
                Supervisor.class, String.valueOf(restarts), marker));
        await().atMost(Duration.ofSeconds(60)).until(() -> supervisor.printed("READY")
                && !servicePids(supervisor).isEmpty() || !supervisor.isAlive());
        assertThat(supervisor.lines()).as("supervisor output").contains("READY");
        return supervisor;
    }

    /** The pids of the service processes the supervisor started, in order. */
    private static List<Long> servicePids(JvmProcess supervisor) {
        return supervisor.lines().stream().filter(l -> l.startsWith("STARTED "))
                .map(l -> Long.parseLong(l.substring("STARTED ".length()))).toList();
    }

    private static void declare(RemoteJmx jmx, String name, String group, String pattern, String restartCommand,
                                long graceSeconds, long startupSeconds) throws Exception {
        jmx.connection().invoke(new javax.management.ObjectName(MONITOR), "declareApplication",
                new Object[] {name, group, pattern, restartCommand, graceSeconds, startupSeconds}, DECLARE);
    }

    /** Connects a client on the link (namespace B) to ADDRESS:PORT and checks that it gets an answer. */
    private void connectAndPing(String address, String port) throws Exception {
        NetNsPeer client = keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any",
                address, port, "1"));
        assertEquals("PONG ok", client.ask("ping"), address + ":" + port + " answers");
    }

    /** Checks the one notification of the monitor, a restart of {@code application} for change {@code id}. */
    private static CompositeData singleRestart(RemoteJmx.Recorder notifications, String application, String id,
                                               long stoppedPid) {
        assertThat(notifications.types()).containsExactly("renumber.application.restarted");
        CompositeData restarted = notifications.data("renumber.application.restarted");
        assertEquals(application, restarted.get("application"));
        assertEquals(id, restarted.get("changeId"));
        assertEquals(String.valueOf(stoppedPid), restarted.get("stoppedPids"));
        return restarted;
    }

    /** The command an operator would give: start the server again on the address the change moves to. */
    private String restartCommand(String port) {
        return "exec '" + JvmProcess.javaCommand() + "' -Xmx96m -cp '" + NetNsPeer.testClassPath() + "' "
                + LegacyServer.class.getName() + " \"$RENUMBER_NEW_ADDRESS\" " + port + " " + marker;
    }

    @Test
    void aLegacyServerOnTheOldAddressIsStoppedRestartedAndServesOnTheNewAddress() throws Exception {
        JvmProcess stubborn = legacyServer(OLD, "7200", "--ignore-term");
        JvmProcess bystander = legacyServer("127.0.0.1", "7300");
        connectAndPing(OLD, "7200");
        RemoteJmx jmx = keep(fixture.jmx());
        RemoteJmx.Recorder notifications = jmx.listen(MONITOR);
        declare(jmx, "legacy-web", "web", "LegacyServer \\S+ 7200 " + marker, restartCommand("7200"), 1, 60);
        declare(jmx, "legacy-quiet", "", "LegacyServer \\S+ 7300 " + marker, restartCommand("7300"), 1, 60);
        assertThat((String[]) jmx.invoke(MONITOR, "matchingProcesses", "legacy-web"))
                .singleElement().asString().startsWith(stubborn.pid() + " ");

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 60L);

        await().atMost(Duration.ofSeconds(60)).until(() -> !notifications.all().isEmpty());
        CompositeData restarted = singleRestart(notifications, "legacy-web", id, stubborn.pid());
        assertEquals(String.valueOf(stubborn.pid()), restarted.get("killedPids"), "it ignored SIGTERM");
        long newPid = Long.parseLong((String) restarted.get("newPids"));
        assertThat(ProcessHandle.of(newPid)).isPresent();
        await().until(() -> !stubborn.isAlive());

        // Back on the new address: the kernel shows its listener, and a client from the link gets answers.
        await().atMost(Duration.ofSeconds(60)).until(() -> Arrays.stream(
                (String[]) jmx.invoke("renumber:type=ConnectionTracker", "connections", NEW))
                .anyMatch(line -> line.startsWith("tcp " + NEW + ":7200 ") && line.endsWith(" LISTEN")));
        connectAndPing(NEW, "7200");
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertThat(bystander.isAlive()).as("the application not using the old address is left alone").isTrue();
        assertThat((String[]) jmx.get(MONITOR, "RecentEvents")).singleElement().asString()
                .startsWith("RESTARTED legacy-web change=" + id);
    }

    @Test
    void aSupervisedServerGetsTermAndItsSupervisorsNewProcessServesOnTheNewAddress() throws Exception {
        JvmProcess supervisor = supervisedServer("7400", 3);
        long oldPid = servicePids(supervisor).get(0);
        connectAndPing(OLD, "7400");
        RemoteJmx jmx = keep(fixture.jmx());
        RemoteJmx.Recorder notifications = jmx.listen(MONITOR);
        declare(jmx, "legacy-supervised", "web", "LegacyServer \\S+ 7400 " + marker, "", 10, 60);
        assertThat((String[]) jmx.invoke(MONITOR, "matchingProcesses", "legacy-supervised"))
                .as("the service, not its supervisor").singleElement().asString().startsWith(oldPid + " ");

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "group:web", 60L);

        await().atMost(Duration.ofSeconds(90)).until(() -> !notifications.all().isEmpty());
        CompositeData restarted = singleRestart(notifications, "legacy-supervised", id, oldPid);
        assertEquals("", restarted.get("killedPids"), "it stopped on SIGTERM, within the grace period");
        assertThat((String) restarted.get("message")).contains("restarted by its supervisor");
        long newPid = Long.parseLong((String) restarted.get("newPids"));
        assertThat(newPid).isNotEqualTo(oldPid);
        // The supervisor saw its service end on SIGTERM (a JVM exits with 128+15) and started the one the agent found.
        await().atMost(Duration.ofSeconds(60)).until(() -> servicePids(supervisor).contains(newPid));
        assertThat(supervisor.lines()).contains("EXITED " + oldPid + " 143");
        assertThat(servicePids(supervisor)).containsExactly(oldPid, newPid);
        assertThat((String[]) jmx.invoke(MONITOR, "matchingProcesses", "legacy-supervised"))
                .singleElement().asString().startsWith(newPid + " ");

        await().atMost(Duration.ofSeconds(60))
                .until(() -> supervisor.lines().stream().filter("READY"::equals).count() == 2);
        connectAndPing(NEW, "7400");
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(NEW + "/24").doesNotContain(OLD + "/24");
        assertThat((String[]) jmx.get(MONITOR, "RecentEvents")).singleElement().asString()
                .startsWith("RESTARTED legacy-supervised change=" + id);
    }

    @Test
    void whenTheSupervisorGivesUpTheRestartIsReportedFailedAndTheChangeStillCompletes() throws Exception {
        JvmProcess supervisor = supervisedServer("7500", 0, "--ignore-term");
        long oldPid = servicePids(supervisor).get(0);
        connectAndPing(OLD, "7500");
        JolokiaHttp jolokia = fixture.jolokiaHttp();
        String handle = jolokia.listen(MONITOR);
        JsonNode declared = jolokia.exec(MONITOR, "declareApplication", "legacy-supervised", "web",
                "LegacyServer \\S+ 7500 " + marker, "", 1, 3);
        assertEquals(200, declared.path("status").asInt(), declared.toString());
        assertThat(declared.path("value").asText()).endsWith(" grace=1s startup=3s");

        String id = jolokia.exec(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "group:web", 60).path("value")
                .asText();

        // The server's connection ended with it, so the change drains; it does not wait for the application.
        assertEquals("COMPLETED", jolokia.exec(SERVICE, "awaitChange", id, 60).path("value").asText());
        assertEquals("DRAINED", jolokia.post(Map.of("type", "read", "mbean", "renumber:type=AddressChange,id=" + id,
                "attribute", "Outcome")).path("value").asText());
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(NEW + "/24").doesNotContain(OLD + "/24");
        // It ignored SIGTERM, so SIGKILL ended it after the grace period (128+9), and nothing came back.
        await().atMost(Duration.ofSeconds(60)).until(() -> supervisor.printed("GAVE UP"));
        assertThat(supervisor.lines()).contains("EXITED " + oldPid + " 137");
        assertThat(servicePids(supervisor)).containsExactly(oldPid);

        List<JsonNode> received = new CopyOnWriteArrayList<>();
        // The monitor waits the 3 s declared for a new process before it gives up too.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            received.addAll(jolokia.pull(handle));
            return !received.isEmpty();
        });
        assertThat(received).singleElement().extracting(n -> n.path("type").asText())
                .isEqualTo("renumber.application.failed");
        JsonNode failed = received.get(0).path("userData");
        assertEquals("legacy-supervised", failed.path("application").asText());
        assertEquals(id, failed.path("changeId").asText());
        assertEquals(String.valueOf(oldPid), failed.path("stoppedPids").asText());
        assertEquals(String.valueOf(oldPid), failed.path("killedPids").asText());
        assertEquals("", failed.path("newPids").asText());
        assertThat(failed.path("message").asText())
                .contains("no new process matching 'LegacyServer \\S+ 7500 " + marker + "' appeared within 3 s");
        JsonNode events = jolokia.post(Map.of("type", "read", "mbean", MONITOR, "attribute", "RecentEvents"));
        assertThat(events.path("value").get(0).asText()).startsWith("FAILED legacy-supervised change=" + id);
        assertThat(jolokia.exec(MONITOR, "matchingProcesses", "legacy-supervised").path("value")).isEmpty();
    }

    @Test
    void declarationsSurviveAnAgentRestart() throws Exception {
        try (RemoteJmx jmx = fixture.jmx()) {
            declare(jmx, "legacy-web", "web", "LegacyServer", "", 5, 300);
        }
        fixture.stop();
        fixture.start();
        try (RemoteJmx jmx = fixture.jmx()) {
            assertThat((String[]) jmx.get(MONITOR, "Applications"))
                    .containsExactly("legacy-web group=web pattern=LegacyServer restart=(by its supervisor) grace=5s "
                            + "startup=300s");
        }
    }
}
