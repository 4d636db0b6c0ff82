package org.renumber.monitor;

import java.util.Optional;

/** Port: where the monitor's settings survive a restart. Writes are durable when {@link #save} returns. */
public interface MonitorSettingsStore {

    /** The saved settings, or empty if none were ever saved. */
    Optional<MonitorSettings> load();

    void save(MonitorSettings settings);
}
