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
    DETECTED,
    /**
     * Partial migration (migrateSubscribers): only the targeted applications move to the new address; the old
     * address stays because other applications keep using it, so nothing steers outbound traffic or deprecates
     * it, and only the connections of the targets' processes are waited for.
     */
    MIGRATION
}
