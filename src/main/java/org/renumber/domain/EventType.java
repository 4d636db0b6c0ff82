package org.renumber.domain;

/** The notifications a change emits; {@link #type()} is the wire name scripts match on. */
public enum EventType {
    STARTED("renumber.change.started"),
    DRAINED("renumber.change.drained"),
    TIMEOUT("renumber.change.timeout"),
    COMPLETED("renumber.change.completed"),
    FAILED("renumber.change.failed"),
    CANCELLED("renumber.change.cancelled");

    private final String type;

    EventType(String type) {
        this.type = type;
    }

    public String type() {
        return type;
    }
}
