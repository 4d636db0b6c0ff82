package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.JvmProcess;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.RebindingApp;
import org.renumber.testing.RemoteJmx;

/**
 * An application that missed a whole change while the agent restarted still handles it, once, in order: it is
 * frozen (SIGSTOP) so its JMX client fetches nothing; the agent restarts, a change runs to its end, the agent
 * restarts again on the same state directory (the change's notifications die with that run's buffer), and the
 * application is thawed. Its client library reconnects and reads the missed events back from the agent by
 * sequence number: the only place they are left is the event journal.
 */
@KernelTest
class ReplayAcrossRestartEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = "10.9.0.1";
    private static final String NEW = "10.9.0.7";
    private static final String PORT = "7200";

    private AgentFixture fixture;

    @BeforeEach
    void startAgent() {
        fixture = new AgentFixture("rn-it-replay-");
    }

    @AfterEach
    void stopEverything() {
        fixture.close();
    }

    @Test
    void anApplicationFrozenWhileTheAgentRestartedHandlesTheChangeItMissedOnceInOrder() throws Exception {
        JvmProcess app = fixture.keep(JvmProcess.start(fixture.net.a(), Map.of(
                        "RENUMBER_USER", fixture.agent().credentials().user(),
                        "RENUMBER_PASSWORD", fixture.agent().credentials().password()),
                RebindingApp.class, fixture.agent().netnsJmx().url().toString(), "billing", "web", OLD, PORT));
        await().atMost(Duration.ofSeconds(60)).until(() -> app.printed("READY") || !app.isAlive());
        assertThat(app.lines()).as("application output").contains("READY");

        String first;
        try (RemoteJmx jmx = fixture.jmx()) {
            first = change(jmx, OLD, NEW);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> app.printed("EVENT completed " + first));

        String second;
        NetNsFixture.run("kill", "-STOP", Long.toString(app.javaPid()));
        try {
            // The frozen client's connection dies with this run, before the change: nothing of the change can
            // reach it over a connection, not even a reply already in its socket.
            fixture.stop();
            fixture.start();
            try (RemoteJmx jmx = fixture.jmx()) {
                second = change(jmx, NEW, OLD);
            }
            // The run that sent the change ends too: only the event journal knows it now.
            fixture.stop();
            fixture.start();
        } finally {
            NetNsFixture.run("kill", "-CONT", Long.toString(app.javaPid()));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> app.printed("EVENT completed " + second));

        String third;
        try (RemoteJmx jmx = fixture.jmx()) {
            third = change(jmx, OLD, NEW);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> app.printed("EVENT completed " + third));
        List<String> events = app.lines().stream().filter(l -> l.startsWith("EVENT ")).toList();
        assertThat(events).containsExactly(
                "EVENT started " + first, "EVENT drained " + first, "EVENT completed " + first,
                "EVENT started " + second, "EVENT drained " + second, "EVENT completed " + second,
                "EVENT started " + third, "EVENT drained " + third, "EVENT completed " + third);
    }

    private static String change(RemoteJmx jmx, String from, String to) throws Exception {
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", from, to + "/24", "billing", 60L);
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        return id;
    }
}
