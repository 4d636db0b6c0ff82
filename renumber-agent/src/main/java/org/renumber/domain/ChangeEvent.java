package org.renumber.domain;

import java.util.Objects;
import java.util.Set;

/**
 * Something happened to a change. {@code recipients} are the subscribers it is meant for (the change's
 * targets); operators listening on the service see every event.
 */
public record ChangeEvent(EventType type, Change change, Set<String> recipients, String message) {

    public ChangeEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(change, "change");
        recipients = Set.copyOf(recipients);
        message = message == null ? "" : message;
    }
}
