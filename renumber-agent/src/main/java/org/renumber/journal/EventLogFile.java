package org.renumber.journal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.EventType;
import org.renumber.domain.port.EventJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sent change events in the state directory ({@code events/}): {@code kept.json}, written whole by
 * {@link #compact} (the sequence numbers then and the events kept), and {@code appended.jsonl}, one JSON line per
 * event sent since, written before the event is sent. A line carries the event's service number, so lines a
 * compaction already counted (it was interrupted before it emptied the file) are skipped. An event of a change
 * whose previous event went to the same recipients says so instead of naming them again: a change for 10,000
 * subscribers names them once. Appending does not fsync: the lines survive the agent's own crash (the kernel holds
 * them), and a line lost with the kernel only means a subscriber cannot read that event back.
 *
 * <p>Delivery history is no reason to stop an agent: an unreadable file or line is logged and skipped.
 */
public final class EventLogFile implements EventJournal {

    static final String DIR = "events";
    static final String KEPT = "kept.json";
    static final String APPENDED = "appended.jsonl";
    private static final int VERSION = 1;
    private static final Logger log = LoggerFactory.getLogger(EventLogFile.class);

    private final Path dir;
    private final ObjectMapper mapper = FileJournal.createMapper();
    private final ObjectWriter lines = mapper.writer().without(SerializationFeature.INDENT_OUTPUT);
    private final ChangeFormat format = new ChangeFormat(mapper);
    /** Per change, the recipients of its last event written to {@link #APPENDED}. */
    private final Map<String, Set<String>> lastRecipients = new HashMap<>();

    public EventLogFile(Path stateDir) {
        this.dir = requireNonNull(stateDir, "stateDir").resolve(DIR);
        try {
            StateDirectory.ensurePrivate(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    @Override
    public synchronized History load() {
        lastRecipients.clear();
        Map<String, Long> sequences = new HashMap<>();
        List<ChangeEvent> kept = new ArrayList<>();
        long base = 0;
        try {
            JsonNode file = mapper.readTree(Files.readAllBytes(dir.resolve(KEPT)));
            if (file.path("schemaVersion").asInt() != VERSION) {
                throw new IOException("schemaVersion " + file.path("schemaVersion") + " is not " + VERSION);
            }
            base = file.path("base").asLong();
            file.path("sequences").fields().forEachRemaining(e -> sequences.put(e.getKey(), e.getValue().asLong()));
            for (JsonNode line : file.path("events")) {
                kept.add(event(line));
            }
        } catch (NoSuchFileException e) {
            // nothing compacted yet
        } catch (IOException | RuntimeException e) {
            log.warn("{} is unreadable and is ignored (subscribers cannot read back the events it held): {}",
                    dir.resolve(KEPT), e.toString());
            sequences.clear();
            kept.clear();
            base = 0;
        }
        long counted = sequences.getOrDefault("", Long.MIN_VALUE);
        List<ChangeEvent> appended = new ArrayList<>();
        try {
            for (String text : Files.readAllLines(dir.resolve(APPENDED), StandardCharsets.UTF_8)) {
                try {
                    JsonNode line = mapper.readTree(text);
                    ChangeEvent event = event(line);
                    if (line.path("service").asLong() > counted) {
                        appended.add(event);
                        base = line.path("base").asLong();
                    }
                } catch (IOException | RuntimeException e) {
                    log.warn("a line of {} is unreadable and is skipped: {}", dir.resolve(APPENDED), e.toString());
                }
            }
        } catch (NoSuchFileException e) {
            // nothing appended
        } catch (IOException e) {
            log.warn("{} is unreadable and is ignored: {}", dir.resolve(APPENDED), e.toString());
        }
        return base <= 0 ? History.EMPTY : new History(base, sequences, kept, appended);
    }

    @Override
    public synchronized void append(long base, long serviceSequence, ChangeEvent event) {
        try {
            ObjectNode line = line(event);
            line.put("base", base);
            line.put("service", serviceSequence);
            byte[] json = lines.writeValueAsBytes(line); // UTF-8 bytes straight away: no String, no re-encoding
            byte[] bytes = Arrays.copyOf(json, json.length + 1);
            bytes[json.length] = '\n';
            Files.write(dir.resolve(APPENDED), bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve(APPENDED), e);
        }
    }

    @Override
    public synchronized void compact(long base, Map<String, Long> sequences, List<ChangeEvent> kept) {
        lastRecipients.clear();
        try {
            ObjectNode file = mapper.createObjectNode();
            file.put("schemaVersion", VERSION);
            file.put("base", base);
            ObjectNode numbers = file.putObject("sequences");
            sequences.forEach(numbers::put);
            ArrayNode events = file.putArray("events");
            for (ChangeEvent event : kept) {
                events.add(line(event));
            }
            AtomicFiles.write(dir.resolve(KEPT), lines.writeValueAsBytes(file));
            // Lines still here after a crash at this point carry numbers the new file counts: load skips them.
            Files.deleteIfExists(dir.resolve(APPENDED));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(KEPT), e);
        }
    }

    private ObjectNode line(ChangeEvent event) throws IOException {
        ObjectNode line = mapper.createObjectNode();
        line.put("type", event.type().name());
        line.put("message", event.message());
        // The tree itself, not written and parsed back: this runs before every change event is sent (issue 14, P2).
        line.set("change", format.tree(event.change()));
        String changeId = event.change().id();
        if (event.recipients().equals(lastRecipients.get(changeId))) {
            line.put("sameRecipients", true);
        } else {
            ArrayNode recipients = line.putArray("recipients");
            event.recipients().forEach(recipients::add);
            lastRecipients.put(changeId, event.recipients());
        }
        return line;
    }

    private ChangeEvent event(JsonNode line) throws IOException {
        var change = format.read(mapper.writeValueAsBytes(line.get("change")));
        Set<String> recipients;
        if (line.path("sameRecipients").asBoolean()) {
            recipients = lastRecipients.get(change.id());
            if (recipients == null) {
                throw new IOException("an event of change " + change.id() + " names no recipients");
            }
        } else {
            recipients = new LinkedHashSet<>();
            for (JsonNode recipient : line.path("recipients")) {
                recipients.add(recipient.asText());
            }
            recipients = Set.copyOf(recipients);
            lastRecipients.put(change.id(), recipients);
        }
        return new ChangeEvent(EventType.valueOf(line.path("type").asText()), change, recipients,
                line.path("message").asText(""));
    }
}
