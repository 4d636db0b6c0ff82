package org.renumber.domain.port;

import org.renumber.domain.ServiceSettings;

/** Where the service's operator settings live; a write is durable before it returns. */
public interface ServiceSettingsStore {

    ServiceSettings current();

    void save(ServiceSettings settings);
}
