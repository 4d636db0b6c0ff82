package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.JvmProcess;
import org.renumber.testing.LegacyServer;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * Legacy servers that know nothing of Renumber, in their own processes inside the managed namespace: the
 * ApplicationMonitor stops the one holding the old address (SIGTERM, then SIGKILL, since it ignores SIGTERM),
 * restarts it with its restart command, and it comes back listening on the new address; a declared application
 * that does not use the old address is left alone.
 */
class ApplicationMonitorEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String MONITOR = "renumber:type=ApplicationMonitor";
    private static final String[] DECLARE = {"java.lang.String", "java.lang.String", "java.lang.String",
            "java.lang.String", "long"};
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
    void stopEverything() throws Exception {
        fixture.close();
        // The restarted servers are the agent's children in their own sessions: end them by their marker.
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
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

    /** The command an operator would give: start the server again on the address the change moves to. */
    private String restartCommand(String port) {
        return "exec '" + JvmProcess.javaCommand() + "' -Xmx96m -cp '" + NetNsPeer.testClassPath() + "' "
                + LegacyServer.class.getName() + " \"$RENUMBER_NEW_ADDRESS\" " + port + " " + marker;
    }

    @Test
    void aLegacyServerOnTheOldAddressIsStoppedRestartedAndServesOnTheNewAddress() throws Exception {
        JvmProcess stubborn = legacyServer(OLD, "7200", "--ignore-term");
        JvmProcess bystander = legacyServer("127.0.0.1", "7300");
        NetNsPeer client = keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any",
                OLD, "7200", "1"));
        assertEquals("PONG ok", client.ask("ping"));
        RemoteJmx jmx = keep(fixture.jmx());
        RemoteJmx.Recorder notifications = jmx.listen(MONITOR);
        jmx.connection().invoke(new javax.management.ObjectName(MONITOR), "declareApplication",
                new Object[] {"legacy-web", "web", "LegacyServer \\S+ 7200 " + marker, restartCommand("7200"), 1L},
                DECLARE);
        jmx.connection().invoke(new javax.management.ObjectName(MONITOR), "declareApplication",
                new Object[] {"legacy-quiet", "", "LegacyServer \\S+ 7300 " + marker, restartCommand("7300"), 1L},
                DECLARE);
        assertThat((String[]) jmx.invoke(MONITOR, "matchingProcesses", "legacy-web"))
                .singleElement().asString().startsWith(stubborn.pid() + " ");

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW + "/24", "", 60L);

        await().atMost(Duration.ofSeconds(60)).until(() -> !notifications.all().isEmpty());
        assertThat(notifications.types()).containsExactly("renumber.application.restarted");
        CompositeData restarted = notifications.data("renumber.application.restarted");
        assertEquals("legacy-web", restarted.get("application"));
        assertEquals(id, restarted.get("changeId"));
        assertEquals(String.valueOf(stubborn.pid()), restarted.get("stoppedPids"));
        assertEquals(String.valueOf(stubborn.pid()), restarted.get("killedPids"), "it ignored SIGTERM");
        long newPid = Long.parseLong((String) restarted.get("newPids"));
        assertThat(ProcessHandle.of(newPid)).isPresent();
        await().until(() -> !stubborn.isAlive());

        // Back on the new address: the kernel shows its listener, and a client from the link gets answers.
        await().atMost(Duration.ofSeconds(60)).until(() -> Arrays.stream(
                (String[]) jmx.invoke("renumber:type=ConnectionTracker", "connections", NEW))
                .anyMatch(line -> line.startsWith("tcp " + NEW + ":7200 ") && line.endsWith(" LISTEN")));
        NetNsPeer fresh = keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any",
                NEW, "7200", "1"));
        assertEquals("PONG ok", fresh.ask("ping"));
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertThat(bystander.isAlive()).as("the application not using the old address is left alone").isTrue();
        assertThat((String[]) jmx.get(MONITOR, "RecentEvents")).singleElement().asString()
                .startsWith("RESTARTED legacy-web change=" + id);
    }

    @Test
    void declarationsSurviveAnAgentRestart() throws Exception {
        try (RemoteJmx jmx = fixture.jmx()) {
            jmx.connection().invoke(new javax.management.ObjectName(MONITOR), "declareApplication",
                    new Object[] {"legacy-web", "web", "LegacyServer", "", 5L}, DECLARE);
        }
        fixture.stop();
        fixture.start();
        try (RemoteJmx jmx = fixture.jmx()) {
            assertThat((String[]) jmx.get(MONITOR, "Applications"))
                    .containsExactly("legacy-web group=web pattern=LegacyServer restart=(by its supervisor) grace=5s");
        }
    }
}
