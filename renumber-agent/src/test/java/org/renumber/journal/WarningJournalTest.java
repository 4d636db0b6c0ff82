package org.renumber.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeKind;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;

/** A scheduled change's warning and a migration's kind survive the disk; older journals read as no warning. */
class WarningJournalTest {

    @TempDir
    Path dir;

    @Test
    void theWarningItsAcknowledgementsAndItsStartReasonSurviveARoundTrip() {
        Change change = new Change("chg-warn", "v0", InterfaceAddress.parse("10.9.0.1/24"),
                InterfaceAddress.parse("10.9.0.7/24"), "group:web", List.of("a", "b"), 60, ChangeState.ADDING, null,
                null, 0, Instant.parse("2026-11-27T10:00:00Z"), null, null, null, null, ChangeKind.MIGRATION, false,
                new Change.Warning(300, Instant.parse("2026-11-27T10:05:00Z"), List.of("b", "a"),
                        Change.StartReason.ALL_TARGETS_READY));
        new FileJournal(dir).saveChange(change);

        assertEquals(List.of(change), new FileJournal(dir).changes());
    }

    @Test
    void aChangeJournaledWithoutAWarningReadsAsNone() {
        Change change = new Change("chg-plain", "v0", InterfaceAddress.parse("10.9.0.1/24"),
                InterfaceAddress.parse("10.9.0.7/24"), "", List.of(), 60, ChangeState.DRAINING, null, null, 0,
                Instant.parse("2026-11-27T10:00:00Z"), null, null, null, null);
        new FileJournal(dir).saveChange(change);

        assertThat(new FileJournal(dir).changes().get(0).warning()).isNull();
    }
}
