package org.renumber.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.KernelSnapshot;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.RemoteJmx;

/**
 * Real hook scripts in a temporary directory, run by a real agent managing a namespace, driven over JMX: what each
 * hook is given, in which order, what is refused, and what a failing or hung hook does to the change.
 */
@Tag("kernel")
@KernelTest
class HooksEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = NetNsFixture.ADDRESS_A;
    private static final Duration LONG = Duration.ofSeconds(60);

    private Path hooks;
    private Path log;
    private AgentFixture fixture;
    private RemoteJmx jmx;

    @BeforeEach
    void hooksDirectory() throws IOException {
        hooks = Files.createTempDirectory("renumber-hooks-");
        log = Files.createTempFile("renumber-hooks-", ".log");
    }

    private void startAgent() throws IOException {
        fixture = new AgentFixture("rn-it-hook-", hooks);
        jmx = fixture.keep(fixture.jmx());
    }

    @AfterEach
    void stopEverything() throws IOException {
        if (fixture != null) {
            fixture.close();
        }
        try (var files = Files.walk(hooks)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(log);
    }

    /** A hook script whose body runs after it logs its name, arguments and environment. */
    private Path hook(String name, String body) throws IOException {
        Path hook = hooks.resolve(name);
        Files.writeString(hook, "#!/bin/sh\n"
                + "echo \"$(basename \"$0\") $1 $2 event=$RENUMBER_EVENT id=$RENUMBER_CHANGE_ID if=$RENUMBER_INTERFACE "
                + "old=$RENUMBER_OLD_ADDRESS new=$RENUMBER_NEW_ADDRESS state=$RENUMBER_STATE kind=$RENUMBER_KIND "
                + "outcome=$RENUMBER_OUTCOME\" >> " + log + "\n" + body + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        return hook;
    }

    private List<String> logged() throws IOException {
        return Files.readAllLines(log);
    }

    private String change(String fresh) throws Exception {
        return (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, fresh, "", 30L);
    }

    private String awaitEnd(String id) throws Exception {
        return (String) jmx.invoke(SERVICE, "awaitChange", id, 60L);
    }

    @Test
    void everyHookRunsInNameOrderOnEveryEventWithTheChangeInItsArgumentsAndEnvironment() throws Exception {
        hook("20-second", "");
        hook("10-first", "echo 'hello from the first hook'");
        Files.writeString(hooks.resolve("README"), "not a hook: not executable\n");
        startAgent();

        String id = change("10.9.1.1/24");
        assertEquals("COMPLETED", awaitEnd(id));

        await().atMost(LONG).until(() -> logged().size() == 8);
        assertThat(logged()).containsExactly(
                "10-first v0 pre-started event=pre-started id=" + id + " if=v0 old=10.9.0.1/24 new=10.9.1.1/24 "
                        + "state=ADDING kind=REQUESTED outcome=",
                "20-second v0 pre-started event=pre-started id=" + id + " if=v0 old=10.9.0.1/24 new=10.9.1.1/24 "
                        + "state=ADDING kind=REQUESTED outcome=",
                "10-first v0 started event=started id=" + id + " if=v0 old=10.9.0.1/24 new=10.9.1.1/24 "
                        + "state=DRAINING kind=REQUESTED outcome=",
                "20-second v0 started event=started id=" + id + " if=v0 old=10.9.0.1/24 new=10.9.1.1/24 "
                        + "state=DRAINING kind=REQUESTED outcome=",
                "10-first v0 drained event=drained id=" + id + " if=v0 old=10.9.0.1/24 new=10.9.1.1/24 "
                        + "state=REMOVING kind=REQUESTED outcome=DRAINED",
                "20-second v0 drained event=drained id=" + id + " if=v0 old=10.9.0.1/24 new=10.9.1.1/24 "
                        + "state=REMOVING kind=REQUESTED outcome=DRAINED",
                "10-first v0 completed event=completed id=" + id + " if=v0 old=10.9.0.1/24 new=10.9.1.1/24 "
                        + "state=COMPLETED kind=REQUESTED outcome=DRAINED",
                "20-second v0 completed event=completed id=" + id + " if=v0 old=10.9.0.1/24 new=10.9.1.1/24 "
                        + "state=COMPLETED kind=REQUESTED outcome=DRAINED");
    }

    @Test
    void hooksOthersCouldHaveWrittenAreRefused() throws Exception {
        hook("10-good", "");
        Path groupWritable = hook("20-group-writable", "");
        Files.setPosixFilePermissions(groupWritable, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path foreign = hook("30-not-root", "");
        Files.setAttribute(foreign, "unix:uid", 65534);
        startAgent();

        assertEquals("COMPLETED", awaitEnd(change("10.9.1.1/24")));

        await().atMost(LONG).until(() -> logged().size() == 4);
        assertThat(logged()).allMatch(line -> line.startsWith("10-good "));
    }

    @Test
    void aFailingPreStartedHookFailsTheChangeAndRollsItBack() throws Exception {
        hook("10-veto", "[ \"$2\" = pre-started ] && { echo 'DNS not ready'; exit 3; }; exit 0");
        startAgent();
        String before = KernelSnapshot.of(fixture.net, fixture.net.a());

        String id = change("10.9.1.1/24");

        assertEquals("FAILED", awaitEnd(id));
        assertThat((String) jmx.get("renumber:type=AddressChange,id=" + id, "Error"))
                .isEqualTo("pre-started hook 10-veto exited with status 3 (last output: DNS not ready); the change "
                        + "does not start");
        assertEquals(before, KernelSnapshot.of(fixture.net, fixture.net.a()));
        await().atMost(LONG).until(() -> logged().size() == 2);
        assertThat(logged().get(1)).startsWith("10-veto v0 failed event=failed").endsWith("outcome=FAILED");
    }

    @Test
    void aHungHookIsKilledAtItsTimeLimitAndBlocksNeitherTheChangeNorTheHooksAfterIt() throws Exception {
        Path pidFile = hooks.resolve(".sleeper.pid");
        hook("10-hangs-on-started", "if [ \"$2\" = started ]; then sleep 1000 & echo $! > " + pidFile
                + "; wait; fi");
        hook("20-after", "");
        startAgent();
        jmx.connection().setAttribute(new javax.management.ObjectName(SERVICE),
                new javax.management.Attribute("HookTimeoutSeconds", 2L));
        assertEquals(2L, jmx.get(SERVICE, "HookTimeoutSeconds"));

        String id = change("10.9.1.1/24");

        assertEquals("COMPLETED", awaitEnd(id));
        await().atMost(LONG).until(() -> logged().stream().anyMatch(l -> l.startsWith("20-after v0 completed")));
        long sleeper = Long.parseLong(Files.readString(pidFile).strip());
        await().atMost(LONG).until(() -> ProcessHandle.of(sleeper).map(p -> !p.isAlive()).orElse(true));
        assertThat(logged().stream().map(l -> l.split(" ")[0] + " " + l.split(" ")[2]).toList()).containsExactly(
                "10-hangs-on-started pre-started", "20-after pre-started", "10-hangs-on-started started",
                "20-after started", "10-hangs-on-started drained", "20-after drained",
                "10-hangs-on-started completed", "20-after completed");
    }

    @Test
    void aPreStartedHookThatHangsFailsTheChangeAtItsTimeLimit() throws Exception {
        hook("10-hangs", "[ \"$2\" = pre-started ] && exec sleep 1000; exit 0");
        startAgent();
        jmx.connection().setAttribute(new javax.management.ObjectName(SERVICE),
                new javax.management.Attribute("HookTimeoutSeconds", 1L));

        String id = change("10.9.1.1/24");

        assertEquals("FAILED", awaitEnd(id));
        assertThat((String) jmx.get("renumber:type=AddressChange,id=" + id, "Error"))
                .startsWith("pre-started hook 10-hangs did not finish within its 1 s time limit and was killed");
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains("10.9.0.1/24").doesNotContain("10.9.1.1/24");
    }
}
