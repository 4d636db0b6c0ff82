package org.renumber.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.KernelTest;

/** Translating process ids from another PID namespace, against a real one made by {@code unshare} (as root). */
@KernelTest
class ProcfsSocketOwnersTest {

    private final ProcfsSocketOwners owners = new ProcfsSocketOwners();
    private Process container;

    @AfterEach
    void stopContainer() throws InterruptedException {
        if (container != null) {
            // unshare --fork ignores SIGTERM while its child runs; killed, it takes the child along (--kill-child).
            container.destroyForcibly();
            container.waitFor();
        }
    }

    @Test
    void aProcessOfTheAgentsOwnNamespaceIsItself() throws IOException {
        long self = ProcessHandle.current().pid();
        String own = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();

        assertEquals(self, owners.agentPid(self, ""));
        assertEquals(self, owners.agentPid(self, own));
    }

    @Test
    void processOneOfAnotherNamespaceIsFoundByItsHostId() throws IOException {
        container = new ProcessBuilder("unshare", "--pid", "--fork", "--kill-child", "sleep", "600")
                .redirectErrorStream(true).start();
        ProcessHandle sleeper = await().until(() -> ProcessHandle.of(container.pid()).orElseThrow().children()
                .findFirst(), Optional::isPresent).orElseThrow();
        String own = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        // The child is forked before it enters the new namespace's init role; wait until it is there.
        String namespace = await().until(() -> Files.readSymbolicLink(Path.of("/proc/" + sleeper.pid() + "/ns/pid"))
                .toString(), ns -> !ns.equals(own));

        assertEquals(sleeper.pid(), owners.agentPid(1, namespace));
        assertThat(assertThrows(IllegalArgumentException.class, () -> owners.agentPid(2, namespace)))
                .hasMessageContaining("no process 2 of PID namespace " + namespace + " is visible to the agent");
    }

    @Test
    void aProcessThatIsNotRunningIsRefused() {
        assertThat(assertThrows(IllegalArgumentException.class, () -> owners.agentPid(Integer.MAX_VALUE, "")))
                .hasMessageContaining("no process " + Integer.MAX_VALUE + " is running in the agent's PID namespace");
    }
}
