package org.renumber.journal;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;
import org.renumber.domain.MonitorSettings;
import org.renumber.domain.port.MonitorSettingsStore;

/**
 * The interface monitor's settings in {@code <state-dir>/interface-monitor.json}, written like the journal
 * (temporary file, fsync, atomic rename, fsync of the directory). A key missing from the file takes its default,
 * so files written by older agents still load (a missing {@code settleMillis} is capped at the file's window); a
 * value out of range stops the agent with a message naming it.
 */
public final class MonitorSettingsFile implements MonitorSettingsStore {

    public static final String FILE_NAME = "interface-monitor.json";

    private final JsonStateFile file;

    public MonitorSettingsFile(Path stateDir) {
        this.file = new JsonStateFile(stateDir, FILE_NAME, "the interface monitor's settings", "the defaults",
                FileJournal.createMapper());
    }

    public Path file() {
        return file.path();
    }

    @Override
    public synchronized Optional<MonitorSettings> load() {
        MonitorSettings d = MonitorSettings.DEFAULTS;
        return file.readObject(json -> {
            long windowMillis = json.path("windowMillis").asLong(d.windowMillis());
            return new MonitorSettings(
                    json.path("enabled").asBoolean(d.enabled()),
                    windowMillis,
                    // Files from before SettleMillis may hold a window shorter than its default, valid then.
                    json.path("settleMillis").asLong(Math.min(d.settleMillis(), windowMillis)),
                    json.path("autoRemoveAlias").asBoolean(d.autoRemoveAlias()),
                    json.path("drainTimeoutSeconds").asLong(d.drainTimeoutSeconds()));
        });
    }

    @Override
    public synchronized void save(MonitorSettings settings) {
        file.write(requireNonNull(settings, "settings"));
    }
}
