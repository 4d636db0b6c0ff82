package org.renumber.service;

import org.renumber.domain.Outcome;
import org.renumber.domain.port.SocketKiller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deadline enforcement: SOCK_DESTROY on what still holds the old address (the applications see a reset), rather
 * than leaving sockets that will be silently dead once the address is gone. Journaled after the fact
 * ({@code forceClosed}, with what was closed): nothing undoes it.
 */
record ForceCloseStep(SocketKiller killer, RunningChange progress) {

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);

    void apply(String late) {
        var change = progress.change();
        String closed;
        try {
            closed = killer.destroy(change.request().oldAddress().address(), SocketKiller.AT_DEADLINE).describe();
        } catch (RuntimeException e) {
            closed = "none (" + e.getMessage() + ")";
        }
        String result = closed;
        progress.transition(c -> c.withSteps(c.progress().steps().withForceClosed(result))
                .drainEnded(Outcome.TIMED_OUT, late + "; force-closed " + result));
        log.info("change {}: force-closed {} on {}", change.id(), result, change.request().oldAddress());
    }
}
