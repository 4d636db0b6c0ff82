package org.renumber.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.renumber.domain.Change;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.ChangeJournal;

/** A journal kept in memory; it records every saved version so tests can check journal-before-act. */
public final class InMemoryJournal implements ChangeJournal {

    private final Map<String, Change> changes = new LinkedHashMap<>();
    private final List<Change> history = new ArrayList<>();
    private List<Subscription> subscriptions = List.of();

    @Override
    public synchronized void saveChange(Change change) {
        changes.put(change.id(), change);
        history.add(change);
    }

    @Override
    public synchronized List<Change> changes() {
        return List.copyOf(changes.values());
    }

    public synchronized List<Change> history() {
        return List.copyOf(history);
    }

    @Override
    public synchronized void saveSubscriptions(List<Subscription> list) {
        subscriptions = List.copyOf(list);
    }

    @Override
    public synchronized List<Subscription> subscriptions() {
        return subscriptions;
    }
}
