package org.renumber.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.NetworkException;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/** Creating and deleting named namespaces against the real kernel, checked with iproute2. */
@KernelTest
class LinuxNamespacesTest {

    private ScratchNamespace ns;

    @BeforeEach
    void pickAName() {
        ns = ScratchNamespace.name();
    }

    @AfterEach
    void deleteTheNamespace() {
        ns.close();
    }

    @Test
    void createdNamespaceIsOneIpNetnsListsAndEntersWithOnlyLoopbackDown() {
        String own = threadNamespace(Path.of("/proc/thread-self"));

        LinuxNamespaces.create(ns.get());

        assertThat(ns.listed()).isTrue();
        assertThat(LinuxNamespaces.exists(ns.get())).isTrue();
        assertThat(ns.identity()).startsWith("net:[").isNotEqualTo(own);
        JsonNode links = ns.ipJson("link");
        assertThat(links).hasSize(1);
        assertThat(links.get(0).path("ifname").asText()).isEqualTo("lo");
        assertThat(ns.flags("lo")).doesNotContain("UP");
    }

    @Test
    void everyThreadOfTheAgentStaysInItsOwnNamespace() {
        String own = threadNamespace(Path.of("/proc/thread-self"));

        LinuxNamespaces.create(ns.get());

        // The thread that unshared has ended, back in the agent's namespace: no task of this process is elsewhere.
        assertThat(threadsOutside(own)).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("renumber-netns-create-" + ns.get()));
        try (LinuxNetns netns = LinuxNetns.open(ns.get())) {
            assertThat(netns.identity()).isEqualTo(ns.identity());
        }
    }

    @Test
    void runDirectoryIsASharedMountAsIproute2LeavesIt() throws IOException {
        LinuxNamespaces.create(ns.get());

        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        assertThat(mounts).anySatisfy(line -> {
            String[] fields = line.split(" ");
            assertThat(fields[4]).isEqualTo("/run/netns");
            assertThat(line).contains(" shared:");
        });
        assertThat(mounts).anySatisfy(line -> assertThat(line).contains(" /run/netns/" + ns.get() + " ").contains(" nsfs "));
    }

    @Test
    void creatingAnExistingNamespaceFailsWithEexistAndKeepsIt() {
        LinuxNamespaces.create(ns.get());
        String identity = ns.identity();

        assertThatThrownBy(() -> LinuxNamespaces.create(ns.get()))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining(ns.get())
                .satisfies(e -> assertThat(((NetworkException) e).errno()).isEqualTo(Errno.EEXIST));
        assertThat(ns.identity()).isEqualTo(identity);
    }

    @Test
    void namespacesMadeByIpNetnsAddExistToo() {
        NetNsFixture.run("ip", "netns", "add", ns.get());

        assertThat(LinuxNamespaces.exists(ns.get())).isTrue();
    }

    @Test
    void aLeftoverEmptyFileIsNoNamespaceAndCreateTakesItOver() throws IOException {
        Files.createDirectories(ns.file().getParent());
        Files.createFile(ns.file());

        assertThat(LinuxNamespaces.exists(ns.get())).isFalse();

        LinuxNamespaces.create(ns.get());

        assertThat(LinuxNamespaces.exists(ns.get())).isTrue();
        assertThat(ns.identity()).isNotEqualTo(threadNamespace(Path.of("/proc/thread-self")));
    }

    @Test
    void unknownNamesDoNotExist() {
        assertThat(LinuxNamespaces.exists(ns.get())).isFalse();
    }

    @Test
    void deleteRemovesTheNameAsIpNetnsDelDoes() {
        LinuxNamespaces.create(ns.get());

        LinuxNamespaces.delete(ns.get());

        assertThat(ns.listed()).isFalse();
        assertThat(Files.exists(ns.file())).isFalse();
        assertThat(LinuxNamespaces.exists(ns.get())).isFalse();
        LinuxNamespaces.delete(ns.get()); // nothing left: nothing to do
    }

    @Test
    void pathLikeNamesAreRejected() {
        assertThatThrownBy(() -> LinuxNamespaces.create("../rn-test-escape")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("../rn-test-escape");
        assertThatThrownBy(() -> LinuxNamespaces.exists("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LinuxNamespaces.delete("..")).isInstanceOf(IllegalArgumentException.class);
    }

    /** {@code tid comm namespace} of every task of this process not in namespace {@code own}. */
    private static List<String> threadsOutside(String own) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.map(task -> task.getFileName() + " " + comm(task) + " " + threadNamespace(task))
                    .filter(line -> !line.endsWith(" " + own) && !line.endsWith(" ")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String comm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private static String threadNamespace(Path task) {
        try {
            return Files.readSymbolicLink(task.resolve("ns/net")).toString();
        } catch (java.nio.file.NoSuchFileException e) {
            return ""; // a thread that ended while listing
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
