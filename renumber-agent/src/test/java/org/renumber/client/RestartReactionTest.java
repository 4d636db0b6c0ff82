package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.renumber.testing.NetNsPeer;

class RestartReactionTest {

    @Test
    void cleanupRunsInOrderEvenPastAFailingStepThenTheDocumentedCodeIsUsed() {
        List<String> happened = new CopyOnWriteArrayList<>();
        RestartReaction restart = new RestartReaction(code -> happened.add("exit " + code),
                () -> happened.add("close listeners"),
                () -> {
                    throw new IOException("flush failed");
                },
                () -> happened.add("close database"));

        restart.started(Events.of(AddressChangeEvent.Type.STARTED, "10.9.0.1/24", "10.9.1.1/24"));

        assertThat(happened).containsExactly("close listeners", "close database", "exit 75");
        assertEquals(75, RestartReaction.EXIT_CODE);
    }

    @Test
    void aChangeThatStartedBeforeThisProcessCausesNoRestart() {
        List<Integer> exits = new CopyOnWriteArrayList<>();
        RestartReaction restart = new RestartReaction(exits::add);

        restart.started(Events.of(AddressChangeEvent.Type.STARTED, "10.9.0.1/24", "10.9.1.1/24", Instant.EPOCH));
        restart.drained(Events.of(AddressChangeEvent.Type.DRAINED, "10.9.0.1/24", "10.9.1.1/24"));

        assertThat(exits).isEmpty();
    }

    @Test
    void aRealJvmCleansUpAndExitsWithSeventyFiveSoItsSupervisorRestartsIt() throws Exception {
        Process app = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx32m",
                "-cp", NetNsPeer.testClassPath(), App.class.getName()).redirectErrorStream(true).start();
        assertTrue(app.waitFor(60, TimeUnit.SECONDS), "the application exited");
        String output = new String(app.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(RestartReaction.EXIT_CODE, app.exitValue(), output);
        assertThat(output).contains("cleaned up", "shutdown hook ran");
    }

    /** An application whose handler is the restart reaction, hit by a started event. */
    public static final class App {
        public static void main(String[] args) throws InterruptedException {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
            RestartReaction restart = new RestartReaction(() -> System.out.println("cleaned up"));
            restart.started(Events.of(AddressChangeEvent.Type.STARTED, "10.9.0.1/24", "10.9.1.1/24"));
            Thread.currentThread().join(); // the reaction's own thread ends the process
        }
    }
}
