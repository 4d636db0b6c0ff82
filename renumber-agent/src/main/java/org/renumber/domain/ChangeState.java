package org.renumber.domain;

/**
 * The states of one address change. The workflow runs REQUESTED → ADDING → DRAINING → REMOVING →
 * COMPLETED, with WARNING between REQUESTED and ADDING for a scheduled change (the targets were warned and the
 * change waits for their acknowledgements or its warning time); TIMED_OUT, FAILED and CANCELLED are the other ends.
 */
public enum ChangeState {
    REQUESTED,
    WARNING,
    ADDING,
    DRAINING,
    REMOVING,
    COMPLETED,
    TIMED_OUT,
    FAILED,
    CANCELLED;

    public boolean isFinal() {
        return this == COMPLETED || this == TIMED_OUT || this == FAILED || this == CANCELLED;
    }
}
