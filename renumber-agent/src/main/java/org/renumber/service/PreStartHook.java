package org.renumber.service;

import org.renumber.domain.Change;

/**
 * Asked, on the change's own thread, once the new address is usable and before the applications are told or the old
 * address is touched (no route, rule, lifetime or guard of it changed yet): whether the change may start. The way
 * NetworkManager waits for its {@code pre-down} dispatcher scripts.
 */
@FunctionalInterface
public interface PreStartHook {

    /** Lets every change start. */
    PreStartHook NONE = change -> { };

    /**
     * Returns when the change may start.
     *
     * @throws IllegalStateException with the reason, for people, when it must not: the change fails and rolls back
     * @throws InterruptedException  when the agent shuts down meanwhile (the change stays journaled and resumes)
     */
    void beforeStart(Change change) throws InterruptedException;
}
