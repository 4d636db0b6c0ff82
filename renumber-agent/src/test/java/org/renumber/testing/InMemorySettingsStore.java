package org.renumber.testing;

import java.util.Optional;
import org.renumber.domain.MonitorSettings;
import org.renumber.domain.port.MonitorSettingsStore;

/** Monitor settings kept in memory; {@link #failNextSave} makes the next save throw, like a full disk. */
public final class InMemorySettingsStore implements MonitorSettingsStore {

    private volatile MonitorSettings saved;
    private volatile RuntimeException failNextSave;

    public InMemorySettingsStore() {
    }

    public InMemorySettingsStore(MonitorSettings initial) {
        this.saved = initial;
    }

    public void failNextSave(RuntimeException failure) {
        failNextSave = failure;
    }

    public MonitorSettings saved() {
        return saved;
    }

    @Override
    public Optional<MonitorSettings> load() {
        return Optional.ofNullable(saved);
    }

    @Override
    public void save(MonitorSettings settings) {
        RuntimeException failure = failNextSave;
        if (failure != null) {
            failNextSave = null;
            throw failure;
        }
        saved = settings;
    }
}
