package org.renumber.service;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;

/**
 * The changes the service knows: the running ones (one workflow per change, one change per interface) and the last
 * {@value #HISTORY_SIZE} finished ones. Thread-safe; the service holds its own lock around a check and the launch
 * that must not be split, and this one is always taken inside it, never the other way round.
 */
final class ActiveChanges {

    static final int HISTORY_SIZE = 50;

    private final Map<String, ChangeWorkflow> running = new LinkedHashMap<>();
    private final Deque<Change> history = new ArrayDeque<>();
    private final SecureRandom random = new SecureRandom();

    /**
     * The journal's changes at start, oldest first: the finished ones join the history; returns the unfinished
     * ones, which the service resumes.
     */
    synchronized List<Change> load(List<Change> journaled) {
        List<Change> unfinished = new ArrayList<>();
        journaled.stream().sorted(Comparator.comparing(c -> c.request().requestedAt())).forEach(change -> {
            if (change.isFinished()) {
                remember(change);
            } else {
                unfinished.add(change);
            }
        });
        return unfinished;
    }

    synchronized void add(ChangeWorkflow workflow) {
        running.put(workflow.change().id(), workflow);
    }

    synchronized ChangeWorkflow running(String changeId) {
        return running.get(changeId);
    }

    /** The change's workflow ended: it joins the history. Returns the ids the history let go of. */
    synchronized List<String> retire(Change finished) {
        running.remove(finished.id());
        return remember(finished);
    }

    /** Keeps a finished change in the history. Returns the ids the history let go of. */
    synchronized List<String> remember(Change finished) {
        history.addLast(finished);
        List<String> evicted = new ArrayList<>();
        while (history.size() > HISTORY_SIZE) {
            evicted.add(history.removeFirst().id());
        }
        return evicted;
    }

    /** The running change's workflow; fails naming the change when it is unknown or has ended. */
    synchronized ChangeWorkflow requireRunning(String changeId, String endedNote) {
        ChangeWorkflow workflow = running.get(changeId);
        if (workflow == null) {
            Change known = find(changeId).orElseThrow(() -> unknownChange(changeId));
            throw new IllegalStateException("change " + changeId + " has already ended as "
                    + known.progress().state() + endedNote);
        }
        return workflow;
    }

    /** Blocks until the change ends or {@code timeout} passes; returns its state then. */
    ChangeState await(String changeId, Duration timeout) throws InterruptedException {
        ChangeWorkflow workflow = running(changeId);
        if (workflow == null) {
            return find(changeId).map(c -> c.progress().state()).orElseThrow(() -> unknownChange(changeId));
        }
        try {
            return workflow.done().get(timeout.toSeconds(), TimeUnit.SECONDS).progress().state();
        } catch (TimeoutException e) {
            return workflow.change().progress().state();
        } catch (ExecutionException e) {
            throw new IllegalStateException("change " + changeId + " ended abnormally", e.getCause());
        }
    }

    /** Asks the running change to roll back and waits up to {@code wait} for it to end. */
    void cancel(String changeId, Duration wait) throws InterruptedException {
        ChangeWorkflow workflow = requireRunning(changeId, "");
        workflow.requestCancel();
        try {
            workflow.done().get(wait.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("change " + changeId + " did not finish cancelling within "
                    + wait.toSeconds() + " s; it is " + workflow.change().progress().state());
        } catch (ExecutionException e) {
            throw new IllegalStateException("change " + changeId + " ended abnormally", e.getCause());
        }
    }

    private static IllegalArgumentException unknownChange(String changeId) {
        return new IllegalArgumentException("unknown change id '" + changeId + "'");
    }

    synchronized Optional<Change> find(String changeId) {
        ChangeWorkflow workflow = running.get(changeId);
        if (workflow != null) {
            return Optional.of(workflow.change());
        }
        return history.stream().filter(c -> c.id().equals(changeId)).findFirst();
    }

    synchronized List<Change> active() {
        return running.values().stream().map(ChangeWorkflow::change).toList();
    }

    /** Finished changes, oldest first. */
    synchronized List<Change> finished() {
        return List.copyOf(history);
    }

    /** Finished changes, most recent first. */
    synchronized List<Change> recent() {
        List<Change> list = new ArrayList<>(history);
        Collections.reverse(list);
        return list;
    }

    /** A fresh change id that no known change has. */
    synchronized String newId() {
        String id;
        do {
            byte[] bytes = new byte[4];
            random.nextBytes(bytes);
            id = "chg-" + HexFormat.of().formatHex(bytes);
        } while (find(id).isPresent());
        return id;
    }

    /** One change per interface at a time. */
    synchronized void refuseIfBusy(String ifName) {
        Optional<Change> other = active().stream()
                .filter(c -> c.request().interfaceName().equals(ifName)).findFirst();
        if (other.isPresent()) {
            throw new IllegalStateException("change " + other.get().id() + " is already running on " + ifName
                    + " (state " + other.get().progress().state()
                    + "); wait for it with awaitChange or cancel it first");
        }
    }

    /** A new address another running change has claimed. */
    synchronized void refuseReserved(InterfaceAddress fresh) {
        Reservations.refuseClaimed(active(), fresh);
    }
}
