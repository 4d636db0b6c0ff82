package org.renumber.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/** Two agents cannot manage one namespace or share one state directory; the refusal names who holds it. */
@Tag("kernel")
@KernelTest
class AgentLockTest {

    @TempDir
    Path temp;
    private final NetNsFixture net = NetNsFixture.create("rn-test-lock-");

    @AfterEach
    void deleteNamespaces() {
        net.close();
    }

    @Test
    void aSecondAgentOnTheSameNamespaceOrStateDirectoryIsRefusedNamingTheHolder() throws Exception {
        Path jolokia = Files.writeString(temp.resolve("jolokia.properties"), "host=127.0.0.1\nport=0\n");
        String pid = "pid " + ProcessHandle.current().pid();
        try (Agent first = Agent.start(options(net.a(), temp.resolve("state-1"), jolokia))) {
            IllegalStateException sameNamespace = assertThrows(IllegalStateException.class,
                    () -> Agent.start(options(net.a(), temp.resolve("state-2"), jolokia)).close());
            assertThat(sameNamespace.getMessage()).contains(pid).contains("managing network namespace")
                    .contains(net.a()).contains("state-1");

            IllegalStateException sameState = assertThrows(IllegalStateException.class,
                    () -> Agent.start(options(net.b(), temp.resolve("state-1"), jolokia)).close());
            assertThat(sameState.getMessage()).contains(pid).contains("using the state directory")
                    .contains("state-1");
            assertThat(first.service().activeChanges()).isEmpty();
        }
        // Released with the agent: the next one starts.
        Agent.start(options(net.a(), temp.resolve("state-2"), jolokia)).close();
    }

    private static AgentOptions options(String netns, Path state, Path jolokia) {
        return new AgentOptions(netns, state, jolokia, "127.0.0.1", 0, AgentOptions.NO_NETNS_JMX);
    }
}
