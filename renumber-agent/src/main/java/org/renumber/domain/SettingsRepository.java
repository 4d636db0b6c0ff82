package org.renumber.domain;

/** Where the service's operator settings live; a write is durable before it returns. */
public interface SettingsRepository {

    ServiceSettings current();

    void save(ServiceSettings settings);
}
