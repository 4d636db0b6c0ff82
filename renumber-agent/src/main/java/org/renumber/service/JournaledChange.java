package org.renumber.service;

import java.util.function.UnaryOperator;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeState;
import org.renumber.domain.NetInterface;
import org.renumber.domain.port.ChangeJournal;
import org.renumber.domain.port.NetworkControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current value of one change, journaled before it is made current. Its lock orders the workflow's own
 * transitions with the targets' acknowledgements arriving on other threads.
 */
final class JournaledChange implements RunningChange {

    private static final Logger log = LoggerFactory.getLogger(ChangeWorkflow.class);

    private final ChangeJournal journal;
    private final NetworkControl network;
    private final PausePoint pause = new PausePoint();
    private volatile Change change;
    /** The value last written, which a pause point compares the next write with. */
    private Change journaled;

    JournaledChange(Change change, ChangeJournal journal, NetworkControl network) {
        this.change = change;
        this.journaled = change;
        this.journal = journal;
        this.network = network;
    }

    @Override
    public Change change() {
        return change;
    }

    @Override
    public void transition(UnaryOperator<Change> next) {
        Change before = change;
        Change after;
        synchronized (this) {
            after = next.apply(change);
            save(after);
            change = after;
        }
        logState(before, after);
    }

    /**
     * Makes a new state current without a journal write of its own, for a state that acts on nothing before its
     * first step: that step's journal write (before it acts) carries it.
     */
    void advance(UnaryOperator<Change> next) {
        Change before = change;
        update(next);
        logState(before, change);
    }

    private static void logState(Change before, Change after) {
        if (before.progress().state() != after.progress().state()) {
            ChangeRequest request = after.request();
            log.info("change {} {} -> {} on {} ({} -> {}){}", after.id(), before.progress().state(),
                    after.progress().state(), request.interfaceName(), request.oldAddress(), request.newAddress(),
                    after.progress().error() == null ? "" : ": " + after.progress().error());
        }
    }

    /** Journals the current value, made current earlier by {@link #update}. */
    void persist(ChangeState before) {
        Change now;
        synchronized (this) {
            now = change;
            save(now);
        }
        ChangeRequest request = now.request();
        log.info("change {} {} -> {} on {} ({} -> {})", now.id(), before, now.progress().state(),
                request.interfaceName(), request.oldAddress(), request.newAddress());
    }

    private void save(Change next) {
        Change previous = journaled;
        pause.around(previous, next, () -> journal.saveChange(next));
        journaled = next;
    }

    @Override
    public synchronized void update(UnaryOperator<Change> next) {
        change = next.apply(change);
    }

    @Override
    public NetInterface currentInterface() {
        return network.interfaces().stream()
                .filter(i -> i.name().equals(change.request().interfaceName()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("interface " + change.request().interfaceName()
                + " has disappeared"));
    }
}
