package org.renumber.testing;

import org.renumber.domain.ServiceSettings;
import org.renumber.domain.port.ServiceSettingsStore;

/** Settings kept in memory for tests of the service. */
public final class InMemorySettings implements ServiceSettingsStore {

    private volatile ServiceSettings settings = ServiceSettings.DEFAULTS;

    @Override
    public ServiceSettings current() {
        return settings;
    }

    @Override
    public void save(ServiceSettings next) {
        settings = next;
    }
}
