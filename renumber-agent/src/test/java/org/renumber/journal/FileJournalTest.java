package org.renumber.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeProgress;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.Outcome;
import org.renumber.domain.Subscription;
import org.renumber.testing.JournaledChanges;

class FileJournalTest {

    @TempDir
    Path dir;

    @Test
    void changeSurvivesARoundTripThroughDisk() {
        ChangeRequest request = ChangeRequest.builder().id("chg-0001")
                .renumber("v0", InterfaceAddress.parse("10.9.0.1/24"), InterfaceAddress.parse("10.9.1.1/24"))
                .targets("group:web").subscriberIds(List.of("a", "b")).drainTimeoutSeconds(60)
                .requestedAt(Instant.parse("2026-11-27T10:00:00Z")).build();
        Change change = new Change(request, ChangeProgress.of(ChangeState.DRAINING).with(p -> {
            p.outcome = Outcome.TIMED_OUT;
            p.error = "why";
            p.remainingConnections = 3;
            p.startedAt = Instant.parse("2026-11-27T10:00:01Z");
            p.deadline = Instant.parse("2026-11-27T10:01:01Z");
            p.steps = JournaledChanges.ADDED_AND_STEERED;
        }));
        new FileJournal(dir).saveChange(change);

        List<Change> read = new FileJournal(dir).changes();
        assertEquals(List.of(change), read);
    }

    @Test
    void subscriptionsSurviveARestart() {
        List<Subscription> subs = List.of(new Subscription("a", "web", "v0"), new Subscription("b", "", "10.9.0.1"));
        new FileJournal(dir).saveSubscriptions(subs);
        assertEquals(subs, new FileJournal(dir).subscriptions());
    }

    @Test
    void journalFilesAreReadableByOwnerOnlyAndNoTemporaryFileRemains() throws Exception {
        new FileJournal(dir).saveSubscriptions(List.of(new Subscription("a", "", "")));
        Path file = dir.resolve("subscriptions.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("changes",
                    "subscriptions.json");
        }
    }

    @Test
    void theChangesDirectoryIsTheOwnersOnlyEvenWhenAnEarlierVersionMadeIt0755() throws Exception {
        Path changes = Files.createDirectory(dir.resolve("changes"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        new FileJournal(dir);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(changes)));

        Path fresh = dir.resolve("fresh");
        new FileJournal(fresh);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                fresh.resolve("changes"))));
    }

    @Test
    void anUnreadableChangeFileDoesNotHideTheOthers() throws Exception {
        FileJournal journal = new FileJournal(dir);
        journal.saveChange(Change.accepted(ChangeRequest.builder().id("chg-ok")
                .renumber("v0", InterfaceAddress.parse("10.9.0.1/24"), InterfaceAddress.parse("10.9.1.1/24"))
                .drainTimeoutSeconds(60).requestedAt(Instant.now()).build()));
        Files.writeString(dir.resolve("changes/chg-bad.json"), "{ truncated");
        assertThat(journal.changes()).extracting(Change::id).containsExactly("chg-ok");
    }
}
