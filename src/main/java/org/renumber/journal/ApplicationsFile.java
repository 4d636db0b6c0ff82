package org.renumber.journal;

import com.fasterxml.jackson.core.type.TypeReference;
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

    private final JsonStateFile file;

    public ApplicationsFile(Path stateDir) {
        this.file = new JsonStateFile(stateDir, FILE_NAME, "the declared legacy applications",
                "no declared applications", FileJournal.createMapper());
    }

    @Override
    public synchronized List<LegacyApplication> load() {
        return file.read(new TypeReference<List<LegacyApplication>>() { }).orElse(List.of());
    }

    @Override
    public synchronized void save(List<LegacyApplication> applications) {
        file.write(List.copyOf(applications));
    }
}
