package org.renumber.journal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.renumber.domain.Change;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.ChangeJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A journal of JSON files in the state directory: {@code changes/<id>.json} per change and
 * {@code subscriptions.json}. Every write goes to a temporary file that is fsync'd, renamed over the old
 * one and followed by an fsync of the directory, so a crash leaves either the old or the new version.
 */
public final class FileJournal implements ChangeJournal {

    /** Finished changes kept on disk; older ones are pruned. */
    static final int KEPT_FINISHED = 200;

    private static final Logger log = LoggerFactory.getLogger(FileJournal.class);

    private final Path changesDir;
    private final Path subscriptionsFile;
    private final ObjectMapper mapper;
    private final ChangeFormat format;

    public FileJournal(Path stateDir) {
        requireNonNull(stateDir, "stateDir");
        this.changesDir = stateDir.resolve("changes");
        this.subscriptionsFile = stateDir.resolve("subscriptions.json");
        this.mapper = createMapper();
        this.format = new ChangeFormat(mapper);
        try {
            StateDirectory.ensure(stateDir);
            StateDirectory.ensurePrivate(changesDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + stateDir, e);
        }
    }

    static ObjectMapper createMapper() {
        SimpleModule module = new SimpleModule("renumber");
        module.addSerializer(InterfaceAddress.class, new ToStringSerializer<>());
        module.addDeserializer(InterfaceAddress.class, new JsonDeserializer<>() {
            @Override
            public InterfaceAddress deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return InterfaceAddress.parse(p.getValueAsString());
            }
        });
        module.addSerializer(Instant.class, new ToStringSerializer<>());
        module.addDeserializer(Instant.class, new JsonDeserializer<>() {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return Instant.parse(p.getValueAsString());
            }
        });
        return new ObjectMapper()
                .registerModule(module)
                // Records are stored by their components only, not by convenience methods like isFinished().
                .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
                .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    private static final class ToStringSerializer<T> extends JsonSerializer<T> {
        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(value.toString());
        }
    }

    @Override
    public synchronized void saveChange(Change change) {
        write(changesDir.resolve(change.id() + ".json"), () -> format.write(change));
        if (change.isFinished()) {
            prune();
        }
    }

    /**
     * Every journaled change. An unreadable file is skipped (logged), so one bad file does not stop the others from
     * resuming; a file from a newer agent stops the start instead, since its change would otherwise be left half done.
     *
     * @throws IllegalStateException when a file was written by a newer agent
     */
    @Override
    public synchronized List<Change> changes() {
        List<Change> changes = new ArrayList<>();
        try (Stream<Path> files = Files.list(changesDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                try {
                    changes.add(format.read(Files.readAllBytes(file)));
                } catch (ChangeFormat.NewerJournalException e) {
                    throw new IllegalStateException("journal file " + file + " cannot be read: " + e.getMessage(), e);
                } catch (IOException | RuntimeException e) {
                    // One unreadable file must not stop the agent from resuming the others.
                    log.error("journal file {} is unreadable and is skipped: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal in " + changesDir, e);
        }
        changes.sort(Comparator.comparing(c -> c.request().requestedAt()));
        return changes;
    }

    @Override
    public synchronized void saveSubscriptions(List<Subscription> subscriptions) {
        write(subscriptionsFile, () -> mapper.writeValueAsBytes(List.copyOf(subscriptions)));
    }

    @Override
    public synchronized List<Subscription> subscriptions() {
        if (!Files.exists(subscriptionsFile)) {
            return List.of();
        }
        try {
            return mapper.readValue(subscriptionsFile.toFile(), new TypeReference<List<Subscription>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + subscriptionsFile
                    + "; fix or remove it (it holds the subscriptions)", e);
        }
    }

    private interface Content {
        byte[] bytes() throws IOException;
    }

    private static void write(Path target, Content content) {
        try {
            AtomicFiles.write(target, content.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the journal file " + target, e);
        }
    }

    private void prune() {
        List<Change> finished = changes().stream().filter(Change::isFinished).toList();
        for (int i = 0; i < finished.size() - KEPT_FINISHED; i++) {
            try {
                Files.deleteIfExists(changesDir.resolve(finished.get(i).id() + ".json"));
            } catch (IOException e) {
                log.warn("cannot prune journal file for change {}: {}", finished.get(i).id(), e.getMessage());
            }
        }
    }
}
