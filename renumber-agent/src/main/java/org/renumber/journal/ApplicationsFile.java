package org.renumber.journal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.renumber.domain.LegacyApplication;
import org.renumber.domain.port.ApplicationStore;

/**
 * The declared legacy applications in {@code <state-dir>/applications.json}, written like the journal (temporary
 * file, fsync, atomic rename, fsync of the directory; owner access only, since restart commands run as root).
 * Applications declared before the startup time was a setting have none in the file and load with the 60 s every
 * application had then.
 */
public final class ApplicationsFile implements ApplicationStore {

    public static final String FILE_NAME = "applications.json";
    /** The startup time that was fixed for every application before it could be declared. */
    private static final long STARTUP_SECONDS_BEFORE_DECLARED = 60;

    private final JsonStateFile file;

    public ApplicationsFile(Path stateDir) {
        this.file = new JsonStateFile(stateDir, FILE_NAME, "the declared legacy applications",
                "no declared applications", FileJournal.createMapper());
    }

    @Override
    public synchronized List<LegacyApplication> load() {
        return file.read(new TypeReference<List<LegacyApplication>>() { }, ApplicationsFile::withStartupSeconds)
                .orElse(List.of());
    }

    private static JsonNode withStartupSeconds(JsonNode applications) {
        for (JsonNode application : applications) {
            if (application instanceof ObjectNode object && !object.has("startupSeconds")) {
                object.put("startupSeconds", STARTUP_SECONDS_BEFORE_DECLARED);
            }
        }
        return applications;
    }

    @Override
    public synchronized void save(List<LegacyApplication> applications) {
        file.write(List.copyOf(applications));
    }
}
