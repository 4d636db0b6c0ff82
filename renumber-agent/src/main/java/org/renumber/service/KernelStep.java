package org.renumber.service;

import org.renumber.domain.ChangeSteps;
import java.util.List;

/**
 * One kernel step of a change: its forward action journals its flag in {@code ChangeSteps} before it acts, and
 * {@link #undo} gives back what the journal says it did. An undo looks at the kernel or is idempotent, so a repeated
 * rollback does no harm; it adds what it could not undo to {@code problems} instead of stopping the rollback.
 */
interface KernelStep {

    void undo(List<String> problems);

    /** Runs one undo action, recording its failure as a problem rather than throwing. */
    static void attempt(List<String> problems, String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            problems.add(what + ": " + e.getMessage());
        }
    }
}
