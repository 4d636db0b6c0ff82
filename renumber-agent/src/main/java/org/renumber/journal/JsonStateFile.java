package org.renumber.journal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One JSON file in the state directory, written like the journal (temporary file, fsync, atomic rename, fsync of
 * the directory). An unreadable file is an error that names it and says what removing it would mean, never a
 * silent reset: an operator's setting must not quietly revert after a restart.
 */
final class JsonStateFile {

    private final Path file;
    private final String holds;
    private final String ifRemoved;
    private final ObjectMapper mapper;

    /**
     * @param holds     what the file holds, for messages ("the service settings")
     * @param ifRemoved what the agent starts with when the file is removed ("the defaults")
     */
    JsonStateFile(Path stateDir, String fileName, String holds, String ifRemoved, ObjectMapper mapper) {
        requireNonNull(stateDir, "stateDir");
        this.file = stateDir.resolve(fileName);
        this.holds = requireNonNull(holds, "holds");
        this.ifRemoved = requireNonNull(ifRemoved, "ifRemoved");
        this.mapper = requireNonNull(mapper, "mapper");
        try {
            StateDirectory.ensure(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + stateDir, e);
        }
    }

    Path path() {
        return file;
    }

    /** The file's value, or empty when there is no file. */
    <T> Optional<T> read(TypeReference<T> type) {
        return read(() -> mapper.readValue(file.toFile(), type));
    }

    /**
     * The file's value after {@code upgrade} has filled in what files from older agents lack, or empty when there is
     * no file. Binding after the upgrade keeps the type checks and the messages of {@link #read(TypeReference)}.
     */
    <T> Optional<T> read(TypeReference<T> type, UnaryOperator<JsonNode> upgrade) {
        return read(() -> {
            JsonNode json = mapper.readTree(file.toFile());
            if (json == null || json.isMissingNode() || json.isNull()) {
                throw new IOException("no JSON value in it");
            }
            return mapper.readerFor(type).readValue(upgrade.apply(json));
        });
    }

    /** The file's JSON object turned into a value by {@code convert}, or empty when there is no file. */
    <T> Optional<T> readObject(Function<JsonNode, T> convert) {
        return read(() -> {
            JsonNode json = mapper.readTree(file.toFile());
            if (json == null || !json.isObject()) {
                throw new IOException("not a JSON object");
            }
            return convert.apply(json);
        });
    }

    private interface Reader<T> {
        T read() throws IOException;
    }

    private <T> Optional<T> read(Reader<T> reader) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(reader.read());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (" + holds + "): " + e.getMessage()
                    + "; fix or remove it to start with " + ifRemoved, e);
        } catch (IllegalArgumentException e) {
            // a value the domain refuses (out of range, malformed): name the file, not just the value
            throw new IllegalArgumentException(file + ": " + e.getMessage() + "; fix or remove the file", e);
        }
    }

    void write(Object value) {
        try {
            AtomicFiles.write(file, mapper.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + holds + " to " + file, e);
        }
    }
}
