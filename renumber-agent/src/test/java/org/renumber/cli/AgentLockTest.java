package org.renumber.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    /**
     * The same with real agent processes, as two operators would start them: the second JVM exits with a sentence
     * naming the first one's pid, and once the first is SIGKILLed the kernel has dropped its locks.
     */
    @Test
    void aSecondAgentProcessIsRefusedNamingTheFirstOnesPidAndTheLocksDieWithIt() throws Exception {
        Path jolokia = Files.writeString(temp.resolve("jolokia.properties"), "host=127.0.0.1\nport=0\n");
        Path state = temp.resolve("state-1");
        try (AgentJvm first = AgentJvm.start(net.a(), state, jolokia)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> first.printed("Jolokia:") || !first.isAlive());
            assertThat(first.isAlive()).as("first agent: %s", first).isTrue();
            String holder = "pid " + first.pid();

            try (AgentJvm sameNamespace = AgentJvm.start(net.a(), temp.resolve("state-2"), jolokia)) {
                assertThat(sameNamespace.awaitExit()).as("%s", sameNamespace).isNotZero();
                assertThat(sameNamespace.text()).contains(holder).contains("managing network namespace")
                        .contains(net.a());
            }
            try (AgentJvm sameState = AgentJvm.start(net.b(), state, jolokia)) {
                assertThat(sameState.awaitExit()).as("%s", sameState).isNotZero();
                assertThat(sameState.text()).contains(holder).contains("using the state directory");
            }
            first.kill();
        }
        try (AgentJvm next = AgentJvm.start(net.a(), state, jolokia)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> next.printed("Jolokia:") || !next.isAlive());
            assertThat(next.isAlive()).as("after SIGKILL the locks are free: %s", next).isTrue();
        }
    }

    private static AgentOptions options(String netns, Path state, Path jolokia) {
        return new AgentOptions(netns, state, jolokia, "127.0.0.1", 0, AgentOptions.NO_NETNS_JMX);
    }
}
