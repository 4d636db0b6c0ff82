package org.renumber.domain;

/** Where a change came from. */
public enum ChangeKind {
    /** An operator asked for it (changeAddress): the agent adds the new address and removes the old one. */
    REQUESTED,
    /**
     * The interface monitor saw an operator renumber by hand (old primary removed, new added, old re-added
     * as an alias): both addresses are there already; the workflow notifies, drains and reports the alias as
     * removable.
     */
    DETECTED
}
