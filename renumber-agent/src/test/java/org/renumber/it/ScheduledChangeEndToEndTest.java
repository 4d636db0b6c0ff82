package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.JvmProcess;
import org.renumber.testing.KernelTest;
import org.renumber.testing.RemoteJmx;
import org.renumber.testing.WarningApp;

/**
 * scheduleChange through the agent on the real kernel, with a Java application in its own JVM that uses the client
 * library: the change waits in WARNING until the application is ready, or until the warning time passes when it
 * never is; the change's StartReason says which.
 */
@KernelTest
class ScheduledChangeEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = "10.9.0.1";
    private static final String NEW = "10.9.0.7";

    private AgentFixture fixture;

    @BeforeEach
    void startAgent() {
        fixture = new AgentFixture("rn-it-warn-");
    }

    @AfterEach
    void stopEverything() throws Exception {
        fixture.close();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return fixture.keep(resource);
    }

    private JvmProcess application(String subscriberId) throws Exception {
        JvmProcess app = keep(JvmProcess.start(fixture.net.a(), Map.of(
                        "RENUMBER_USER", fixture.agent().credentials().user(),
                        "RENUMBER_PASSWORD", fixture.agent().credentials().password()),
                WarningApp.class, fixture.agent().netnsJmx().url().toString(), subscriberId, "web"));
        await().atMost(Duration.ofSeconds(60)).until(() -> app.printed("SUBSCRIBED") || !app.isAlive());
        assertThat(app.lines()).as("application output").contains("SUBSCRIBED");
        return app;
    }

    @Test
    void theChangeStartsWhenTheApplicationAcknowledgesTheWarning() throws Exception {
        JvmProcess app = application("billing");
        RemoteJmx jmx = keep(fixture.jmx());

        String id = (String) jmx.invoke(SERVICE, "scheduleChange", "v0", OLD, NEW + "/24", "billing", 60L, 3600L);
        String change = "renumber:type=AddressChange,id=" + id;

        await().until(() -> app.printed("EVENT warning " + id));
        assertEquals("WARNING", jmx.get(change, "State"));
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(OLD + "/24").doesNotContain(NEW + "/24");

        app.send("ready"); // the application finished preparing, whenever that is

        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertEquals("ALL_TARGETS_READY", jmx.get(change, "StartReason"));
        assertThat((String[]) jmx.get(change, "Acknowledged")).containsExactly("billing");
        await().until(() -> app.printed("EVENT completed " + id));
        assertThat(app.lines()).containsSubsequence("EVENT warning " + id, "EVENT started " + id,
                "EVENT completed " + id);
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(NEW + "/24").doesNotContain(OLD + "/24");
    }

    @Test
    void theChangeStartsAtTheWarningTimeWhenTheApplicationNeverAcknowledges() throws Exception {
        JvmProcess app = application("billing");
        RemoteJmx jmx = keep(fixture.jmx());

        String id = (String) jmx.invoke(SERVICE, "scheduleChange", "v0", OLD, NEW + "/24", "billing", 60L, 2L);
        String change = "renumber:type=AddressChange,id=" + id;
        await().until(() -> app.printed("EVENT warning " + id));

        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertEquals("WARNING_TIME_PASSED", jmx.get(change, "StartReason"));
        assertThat((String[]) jmx.get(change, "Acknowledged")).isEmpty();
        await().until(() -> app.printed("EVENT completed " + id));
        assertThat(app.lines()).containsSubsequence("EVENT warning " + id, "EVENT started " + id);
    }

    @Test
    void aChangeCancelledDuringItsWarningLeavesTheInterfaceAsItWas() throws Exception {
        JvmProcess app = application("billing");
        RemoteJmx jmx = keep(fixture.jmx());

        String id = (String) jmx.invoke(SERVICE, "scheduleChange", "v0", OLD, NEW + "/24", "billing", 60L, 3600L);
        await().until(() -> app.printed("EVENT warning " + id));
        jmx.invoke(SERVICE, "cancelChange", id);

        assertEquals("CANCELLED", jmx.get("renumber:type=AddressChange,id=" + id, "State"));
        await().until(() -> app.printed("EVENT cancelled " + id));
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(OLD + "/24").doesNotContain(NEW + "/24");
    }
}
