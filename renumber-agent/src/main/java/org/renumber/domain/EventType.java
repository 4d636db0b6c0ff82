package org.renumber.domain;

/** The notifications a change emits; {@link #type()} is the wire name scripts match on. */
public enum EventType {
    /**
     * A scheduled change is announced ahead (scheduleChange): nothing has changed yet; the targets prepare and
     * call {@code ready(changeId)}, and the change starts when all have or when the warning time passes.
     */
    WARNING("renumber.change.warning"),
    STARTED("renumber.change.started"),
    DRAINED("renumber.change.drained"),
    TIMEOUT("renumber.change.timeout"),
    COMPLETED("renumber.change.completed"),
    FAILED("renumber.change.failed"),
    CANCELLED("renumber.change.cancelled"),
    /** The interface monitor recognised a renumbering done by hand; a detected change follows. */
    INTERFACE_CHANGED("renumber.interface.changed"),
    /** A detected change drained (or timed out): the operator may remove the old address, now an alias. */
    ALIAS_REMOVABLE("renumber.alias.removable");

    private final String type;

    EventType(String type) {
        this.type = type;
    }

    public String type() {
        return type;
    }
}
