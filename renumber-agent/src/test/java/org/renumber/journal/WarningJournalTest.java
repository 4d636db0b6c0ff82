package org.renumber.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeProgress;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeWarning;
import org.renumber.domain.ChangeKind;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;

/** A scheduled change's warning and a migration's kind survive the disk; older journals read as no warning. */
class WarningJournalTest {

    @TempDir
    Path dir;

    @Test
    void theWarningItsAcknowledgementsAndItsStartReasonSurviveARoundTrip() {
        ChangeRequest request = ChangeRequest.builder().id("chg-warn")
                .renumber("v0", InterfaceAddress.parse("10.9.0.1/24"), InterfaceAddress.parse("10.9.0.7/24"))
                .targets("group:web").subscriberIds(List.of("a", "b")).drainTimeoutSeconds(60)
                .kind(ChangeKind.MIGRATION).removeOldAddress(false)
                .warning(new ChangeWarning(300, Instant.parse("2026-11-27T10:05:00Z"), List.of("b", "a"),
                        ChangeWarning.StartReason.ALL_TARGETS_READY))
                .requestedAt(Instant.parse("2026-11-27T10:00:00Z")).build();
        Change change = new Change(request, ChangeProgress.of(ChangeState.ADDING));
        new FileJournal(dir).saveChange(change);

        assertEquals(List.of(change), new FileJournal(dir).changes());
    }

    @Test
    void aChangeJournaledWithoutAWarningReadsAsNone() {
        Change change = new Change(ChangeRequest.builder().id("chg-plain")
                .renumber("v0", InterfaceAddress.parse("10.9.0.1/24"), InterfaceAddress.parse("10.9.0.7/24"))
                .drainTimeoutSeconds(60).requestedAt(Instant.parse("2026-11-27T10:00:00Z")).build(),
                ChangeProgress.of(ChangeState.DRAINING));
        new FileJournal(dir).saveChange(change);

        assertThat(new FileJournal(dir).changes().get(0).request().warning()).isNull();
    }
}
