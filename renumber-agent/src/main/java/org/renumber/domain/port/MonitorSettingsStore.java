package org.renumber.domain.port;

import java.util.Optional;
import org.renumber.domain.MonitorSettings;

/** Port: where the monitor's settings survive a restart. Writes are durable when {@link #save} returns. */
public interface MonitorSettingsStore {

    /** The saved settings, or empty if none were ever saved. */
    Optional<MonitorSettings> load();

    void save(MonitorSettings settings);
}
