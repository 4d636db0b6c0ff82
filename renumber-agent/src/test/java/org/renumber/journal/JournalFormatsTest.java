package org.renumber.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeKind;

/**
 * Every journal format an agent has written so far (src/test/resources/journal, see its README) is read by
 * today's agent, with what older agents did not write filled in as they meant it.
 */
class JournalFormatsTest {

    @TempDir
    Path stateDir;

    @ParameterizedTest
    @ValueSource(strings = {"1-f47b802-first", "2-8bed4da-detected", "3-d64d8db-ipv6", "4-f98eaea-guard",
            "5-04f24bf-warning", "6-3053551-rules", "7-c5a6795-versioned", "8-request-progress"})
    void everyChangeAndSubscriptionOfAFormatIsRead(String format) throws Exception {
        long files = copy(format, stateDir);
        FileJournal journal = new FileJournal(stateDir);
        List<Change> changes = journal.changes();
        assertThat(changes).hasSize((int) files);
        assertThat(journal.subscriptions()).extracting(s -> s.subscriberId()).containsExactly("app1", "app2");
        Change draining = changes.stream().filter(c -> c.id().equals("chg-draining")).findFirst().orElseThrow();
        assertThat(draining.progress().steps().newAddressAdded()).isTrue();
        assertThat(draining.request().oldAddress()).hasToString("2001:db8::1/64");
        assertThat(draining.request().kind()).isEqualTo(ChangeKind.REQUESTED);
        assertThat(draining.request().removeOldAddress()).as("a requested change removes its old address").isTrue();
    }

    @Test
    void aChangeReadFromAnOlderFormatIsWrittenInTheCurrentOneAndReadBackEqual() throws Exception {
        copy("1-f47b802-first", stateDir);
        FileJournal journal = new FileJournal(stateDir);
        Change old = journal.changes().stream().filter(c -> c.id().equals("chg-rollback")).findFirst().orElseThrow();
        journal.saveChange(old);
        assertThat(Files.readString(stateDir.resolve("changes/chg-rollback.json")))
                .contains("\"" + ChangeFormat.FIELD + "\" : " + ChangeFormat.CURRENT);
        assertThat(new FileJournal(stateDir).changes()).contains(old);
    }

    @Test
    void theLastFlatLayoutsAndTheSplitOneReadAsTheSameChanges() throws Exception {
        copy("6-3053551-rules", stateDir.resolve("6"));
        copy("7-c5a6795-versioned", stateDir.resolve("7"));
        copy("8-request-progress", stateDir.resolve("8"));
        List<Change> unversioned = new FileJournal(stateDir.resolve("6")).changes();
        assertThat(unversioned).hasSize(5);
        assertThat(new FileJournal(stateDir.resolve("7")).changes()).isEqualTo(unversioned);
        assertThat(new FileJournal(stateDir.resolve("8")).changes()).isEqualTo(unversioned);
    }

    @Test
    void theCurrentLayoutHoldsTheRequestAndItsProgressApart() throws Exception {
        copy("7-c5a6795-versioned", stateDir);
        FileJournal journal = new FileJournal(stateDir);
        journal.changes().forEach(journal::saveChange);
        JsonNode file = new ObjectMapper().readTree(stateDir.resolve("changes/chg-draining.json").toFile());
        assertThat(file.get(ChangeFormat.FIELD).asInt()).isEqualTo(2);
        assertThat(file.properties()).extracting(Map.Entry::getKey)
                .containsExactly(ChangeFormat.FIELD, "request", "progress");
        assertThat(file.get("request").get("oldAddress").asText()).isEqualTo("2001:db8::1/64");
        assertThat(file.get("progress").get("steps").get("newAddressAdded").asBoolean()).isTrue();
    }

    @Test
    void aJournalFromANewerAgentIsRefusedWithAMessageNamingTheFileAndTheVersions() throws Exception {
        copy("6-3053551-rules", stateDir);
        Path file = stateDir.resolve("changes/chg-draining.json");
        Files.writeString(file, Files.readString(file).replaceFirst("\\{", "{ \"schemaVersion\" : 99,"));
        assertThatThrownBy(() -> new FileJournal(stateDir).changes()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("journal file " + file)
                .hasMessageContaining("written by a newer agent (journal schemaVersion 99; this agent reads up to "
                        + ChangeFormat.CURRENT + ")");
    }

    @Test
    void aVersionedFileWithAComponentThisAgentDoesNotKnowIsSkippedNotHalfRead() throws Exception {
        copy("6-3053551-rules", stateDir);
        FileJournal journal = new FileJournal(stateDir);
        String id = "chg-draining";
        journal.saveChange(journal.changes().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow());
        Path file = stateDir.resolve("changes/" + id + ".json");
        Files.writeString(file, Files.readString(file).replace("\"targets\"", "\"renamedTargets\""));
        assertThat(new FileJournal(stateDir).changes()).extracting(Change::id).doesNotContain(id).hasSize(4);
    }

    static long copy(String format, Path to) throws IOException, URISyntaxException {
        Path from = Path.of(JournalFormatsTest.class.getResource("/journal/" + format).toURI());
        Files.createDirectories(to.resolve("changes"));
        try (Stream<Path> all = Files.walk(from)) {
            all.filter(Files::isRegularFile).forEach(f -> {
                try {
                    Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        try (Stream<Path> changes = Files.list(to.resolve("changes"))) {
            return changes.count();
        }
    }
}
