package org.renumber.service;

import java.util.function.UnaryOperator;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeSteps;
import org.renumber.domain.NetInterface;

/**
 * What a workflow step sees of its change: the current value, the journal (a step records itself in
 * {@link ChangeSteps} before it touches the kernel) and the interface as the kernel has it now.
 */
interface RunningChange {

    Change change();

    /** Journals the next value of the change, then makes it current. */
    void transition(UnaryOperator<Change> next);

    /** In-memory update that need not survive a restart (e.g. the live connection count). */
    void update(UnaryOperator<Change> next);

    /** The change's interface as the kernel reports it now; fails when it has disappeared. */
    NetInterface currentInterface();
}
