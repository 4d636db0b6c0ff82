package org.renumber.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.openmbean.CompositeData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.api.MBeanNames;
import org.renumber.domain.ChangeState;
import org.renumber.journal.EventLogFile;

/**
 * The events sent before a restart stay readable after it: the JMX adapter is closed and exported again on the same
 * state directory (as a restarted agent does), and pendingEvents still returns what a subscriber was sent, with the
 * numbers it was sent with; new events number on from there. The journal stays bounded: past its compaction only
 * the last {@link ChangeEventLog#KEPT} events are kept, and an interrupted compaction counts nothing twice.
 */
class EventReplayTest {

    private static final String[] PENDING = {String.class.getName(), "long"};

    @TempDir
    Path state;

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ServiceFixture fixture = new ServiceFixture();
    private JmxAdapter adapter;
    private int changes;

    @BeforeEach
    void start() {
        adapter = export();
        fixture.start();
        fixture.service.subscribers().subscribe("app1", "", "");
        fixture.service.subscribers().subscribe("app2", "", "");
    }

    @AfterEach
    void stop() {
        adapter.close();
        fixture.close();
    }

    @Test
    void aRestartedAgentAnswersForTheEventsOfItsPreviousRunAndNumbersOn() throws Exception {
        long before = sequence("app1");
        String first = change("app1");
        String second = change("app1,app2");
        long last = sequence("app1");
        assertThat(last).isEqualTo(before + 6);

        restart();

        assertThat(sequence("app1")).isEqualTo(last);
        List<CompositeData> missed = pending("app1", before);
        assertThat(missed).extracting(e -> e.get("sequence")).containsExactly(before + 1, before + 2, before + 3,
                before + 4, before + 5, before + 6);
        assertThat(missed).extracting(e -> e.get("changeId")).containsExactly(first, first, first, second, second,
                second);
        assertThat(missed).extracting(e -> e.get("notificationType")).containsExactly("renumber.change.started",
                "renumber.change.drained", "renumber.change.completed", "renumber.change.started",
                "renumber.change.drained", "renumber.change.completed");
        assertThat(pending("app2", -1)).extracting(e -> e.get("changeId")).containsOnly(second).hasSize(3);

        String third = change("app1");
        assertThat(pending("app1", last)).extracting(e -> e.get("sequence"))
                .containsExactly(last + 1, last + 2, last + 3);
        assertThat(pending("app1", last)).extracting(e -> e.get("changeId")).containsOnly(third);
    }

    @Test
    void pastACompactionTheLastKeptEventsSurviveInOrderAndNothingIsCountedTwice() throws Exception {
        long before = sequence("app1");
        int count = ChangeEventLog.KEPT / 3 + 10; // three events each: the journal compacts once on the way
        for (int i = 0; i < count; i++) {
            change("app1");
        }
        long last = sequence("app1");
        assertThat(last).isEqualTo(before + 3L * count);
        Path kept = state.resolve("events").resolve("kept.json");
        assertThat(kept).exists();

        restart();

        assertThat(sequence("app1")).isEqualTo(last);
        List<CompositeData> missed = pending("app1", before);
        assertThat(missed).hasSize(ChangeEventLog.KEPT).extracting(e -> e.get("sequence"))
                .containsExactlyElementsOf(LongStream.rangeClosed(last - ChangeEventLog.KEPT + 1, last).boxed()
                        .toList());

        // A compaction interrupted after it wrote kept.json: the lines it counted are still in appended.jsonl.
        Map<String, Long> now = Map.of("", (Long) server.getAttribute(MBeanNames.SERVICE, "Sequence"), "app1", last,
                "app2", sequence("app2"));
        adapter.close();
        Path appended = state.resolve("events").resolve("appended.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(appended));
        assertThat(lines).isNotEmpty();
        new EventLogFile(state).compact(new EventLogFile(state).load().base(), now, List.of());
        Files.write(appended, lines);
        Files.writeString(appended, "{not json\n", java.nio.file.StandardOpenOption.APPEND);
        adapter = export();
        assertThat(sequence("app1")).as("lines already counted by the compaction are not counted again")
                .isEqualTo(last);
    }

    private JmxAdapter export() {
        return JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets, new EventLogFile(state));
    }

    private void restart() {
        adapter.close();
        adapter = export();
    }

    private String change(String targets) throws InterruptedException {
        String[] addresses = {"10.9.0.1", "10.9.1.1"};
        String id = fixture.service.changeAddress("v0", addresses[changes % 2], addresses[(changes + 1) % 2] + "/24",
                targets, 30);
        changes++;
        assertThat(fixture.service.awaitChange(id, 10)).isEqualTo(ChangeState.COMPLETED);
        return id;
    }

    private long sequence(String subscriber) throws Exception {
        return (Long) server.getAttribute(MBeanNames.subscription(subscriber), "Sequence");
    }

    private List<CompositeData> pending(String subscriber, long after) throws Exception {
        return List.of((CompositeData[]) server.invoke(MBeanNames.SERVICE, "pendingEvents",
                new Object[] {subscriber, after}, PENDING));
    }
}
