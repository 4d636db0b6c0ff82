package org.renumber.journal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.renumber.monitor.MonitorSettings;
import org.renumber.monitor.MonitorSettingsStore;

/**
 * The interface monitor's settings in {@code <state-dir>/interface-monitor.json}, written like the journal
 * (temporary file, fsync, atomic rename, fsync of the directory). A key missing from the file takes its default,
 * so files written by older agents still load; a value out of range stops the agent with a message naming it.
 */
public final class MonitorSettingsFile implements MonitorSettingsStore {

    public static final String FILE_NAME = "interface-monitor.json";

    private final Path file;
    private final ObjectMapper mapper = FileJournal.createMapper();

    public MonitorSettingsFile(Path stateDir) {
        requireNonNull(stateDir, "stateDir");
        this.file = stateDir.resolve(FILE_NAME);
        try {
            StateDirectory.ensure(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state directory " + stateDir, e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized Optional<MonitorSettings> load() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode json = mapper.readTree(file.toFile());
            if (json == null || !json.isObject()) {
                throw new IOException("not a JSON object");
            }
            MonitorSettings d = MonitorSettings.DEFAULTS;
            return Optional.of(new MonitorSettings(
                    json.path("enabled").asBoolean(d.enabled()),
                    json.path("windowMillis").asLong(d.windowMillis()),
                    json.path("autoRemoveAlias").asBoolean(d.autoRemoveAlias()),
                    json.path("drainTimeoutSeconds").asLong(d.drainTimeoutSeconds())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + "; fix or remove it (it holds the interface "
                    + "monitor's settings): " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage() + "; fix or remove the file", e);
        }
    }

    @Override
    public synchronized void save(MonitorSettings settings) {
        requireNonNull(settings, "settings");
        try {
            AtomicFiles.write(file, mapper.writeValueAsBytes(settings));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the interface monitor's settings to " + file, e);
        }
    }
}
