package org.renumber.domain;

/** The events a change emits; the JMX adapter gives each its notification type. */
public enum EventType {
    /**
     * A scheduled change is announced ahead (scheduleChange): nothing has changed yet; the targets prepare and
     * call {@code ready(changeId)}, and the change starts when all have or when the warning time passes.
     */
    WARNING,
    STARTED,
    DRAINED,
    TIMEOUT,
    COMPLETED,
    FAILED,
    CANCELLED,
    /** The interface monitor recognised a renumbering done by hand; a detected change follows. */
    INTERFACE_CHANGED,
    /** A detected change drained (or timed out): the operator may remove the old address, now an alias. */
    ALIAS_REMOVABLE
}
