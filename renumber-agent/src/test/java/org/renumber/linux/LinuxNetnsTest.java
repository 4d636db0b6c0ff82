package org.renumber.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.NetworkException;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/** The namespace thread against the real kernel: what it enters, and that nothing else moves. */
@KernelTest
class LinuxNetnsTest {

    private NetNsFixture fixture;

    @BeforeEach
    void createNamespaces() {
        fixture = NetNsFixture.create();
    }

    @AfterEach
    void deleteNamespaces() {
        fixture.close();
    }

    @Test
    void tasksRunInsideTheNamedNamespace() {
        try (LinuxNetns netns = LinuxNetns.open(fixture.a())) {
            String expected = fixture.exec(fixture.a(), "readlink", "/proc/self/ns/net").strip();

            assertThat(netns.identity()).isEqualTo(expected).isNotEqualTo(ownIdentity());
            assertThat(netns.name()).isEqualTo(fixture.a());
        }
    }

    @Test
    void theCallingThreadStaysInItsOwnNamespace() throws Exception {
        String before = ownIdentity();

        try (LinuxNetns netns = LinuxNetns.open(fixture.a())) {
            netns.identity();
            assertThat(ownIdentity()).isEqualTo(before);
        }
    }

    @Test
    void procSysIsReadAsTheNamespaceSeesIt() {
        fixture.setSysctl(fixture.a(), "net.ipv4.conf.v0.promote_secondaries", "1");

        try (LinuxNetns netns = LinuxNetns.open(fixture.a())) {
            // v0 exists only inside namespace A, so this path resolves only on its thread.
            assertThat(netns.readFile(Path.of("/proc/sys/net/ipv4/conf/v0/promote_secondaries")).strip()).isEqualTo("1");
        }
    }

    @Test
    void nullMeansTheAgentsOwnNamespace() {
        try (LinuxNetns netns = LinuxNetns.open(null)) {
            assertThat(netns.identity()).isEqualTo(ownIdentity());
            assertThat(netns.describe()).isEqualTo("the agent's network namespace");
        }
    }

    @Test
    void unknownNamespaceFailsWithEnoentNamingIt() {
        assertThatThrownBy(() -> LinuxNetns.open("rn-test-does-not-exist"))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("rn-test-does-not-exist")
                .hasMessageContaining("ENOENT")
                .satisfies(e -> assertThat(((NetworkException) e).errno()).isEqualTo(Errno.ENOENT));
    }

    @Test
    void pathLikeNamesAreRejected() {
        assertThatThrownBy(() -> LinuxNetns.open("../../proc/1/ns/net"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("../../proc/1/ns/net");
    }

    @Test
    void closingStopsTheNamespaceThread() {
        LinuxNetns netns = LinuxNetns.open(fixture.a());
        String threadName = "renumber-netns-" + fixture.a();
        assertThat(threadAlive(threadName)).isTrue();

        netns.close();

        assertThat(threadAlive(threadName)).isFalse();
        assertThatThrownBy(netns::identity).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    private static String ownIdentity() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
