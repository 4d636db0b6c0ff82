package org.renumber.service;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.renumber.domain.Change;
import org.renumber.domain.port.InboundGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses new inbound connections to the old address while it drains ({@code guardApplied}). Not undone with the
 * kernel steps: the guard is released however the change ends.
 */
record GuardStep(InboundGuard guard, RunningChange progress) {

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);

    void apply() {
        progress.transition(c -> c.withSteps(c.progress().steps().withGuardApplied(true)));
        guard.guard(progress.change().request().oldAddress().address());
    }

    /**
     * At start: a killed agent may leave guard rules behind for changes that ended meanwhile (or that it never
     * journaled as guarded); only the unfinished, guarded changes keep theirs.
     */
    static void releaseLeaked(InboundGuard guard, List<Change> unfinished) {
        if (!guard.available()) {
            log.warn("cannot check for leftover inbound guard rules: {}", guard.unavailableReason().orElse(""));
            return;
        }
        Set<InetAddress> keep = new HashSet<>();
        unfinished.stream().filter(c -> c.progress().steps().guardApplied())
                .forEach(c -> keep.add(c.request().oldAddress().address()));
        Set<InetAddress> released = guard.releaseAllExcept(keep);
        if (!released.isEmpty()) {
            log.info("released inbound guard rules left by a previous run: {}", released);
        }
    }

    /** The guard goes with the change, however it ends; a rule that cannot be removed is logged loudly. */
    void release() {
        var change = progress.change();
        if (!change.progress().steps().guardApplied()) {
            return;
        }
        try {
            guard.release(change.request().oldAddress().address());
        } catch (RuntimeException e) {
            log.error("change {}: could not remove the inbound guard on {}; the next agent start retries: {}",
                    change.id(), change.request().oldAddress(), e.getMessage());
            return;
        }
        progress.transition(c -> c.withSteps(c.progress().steps().withGuardApplied(false)));
    }
}
