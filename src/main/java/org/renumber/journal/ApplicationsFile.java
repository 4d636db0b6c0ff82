package org.renumber.journal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.renumber.application.ApplicationStore;
import org.renumber.application.LegacyApplication;

/**
 * The declared legacy applications in {@code <state-dir>/applications.json}, written like the journal (temporary
 * file, fsync, atomic rename, fsync of the directory; owner access only, since restart commands run as root).
 */
public final class ApplicationsFile implements ApplicationStore {

    public static final String FILE_NAME = "applications.json";

    private final Path file;
    private final ObjectMapper mapper = FileJournal.createMapper();

    public ApplicationsFile(Path stateDir) {
        requireNonNull(stateDir, "stateDir");
        this.file = stateDir.resolve(FILE_NAME);
        try {
            StateDirectory.ensure(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + stateDir, e);
        }
    }

    @Override
    public synchronized List<LegacyApplication> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return mapper.readValue(file.toFile(), new TypeReference<List<LegacyApplication>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + "; fix or remove it (it holds the declared "
                    + "legacy applications): " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage() + "; fix or remove the file", e);
        }
    }

    @Override
    public synchronized void save(List<LegacyApplication> applications) {
        try {
            AtomicFiles.write(file, mapper.writeValueAsBytes(List.copyOf(applications)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the declared applications to " + file, e);
        }
    }
}
