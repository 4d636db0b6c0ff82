package org.renumber.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.EventType;
import org.renumber.domain.port.ChangeListener;

/** nanoTime of each event of each change, taken on the workflow thread as the service publishes it. */
final class EventTimes implements ChangeListener {

    record Final(EventType type, long at) {
    }

    private final Map<String, CompletableFuture<Long>> times = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Final>> ends = new ConcurrentHashMap<>();

    @Override
    public void event(ChangeEvent event) {
        long now = System.nanoTime();
        String id = event.change().id();
        at(id, event.type()).complete(now);
        if (event.change().progress().state().isFinal()) {
            end(id).complete(new Final(event.type(), now));
        }
    }

    CompletableFuture<Long> at(String changeId, EventType type) {
        return times.computeIfAbsent(changeId + "/" + type, k -> new CompletableFuture<>());
    }

    CompletableFuture<Final> end(String changeId) {
        return ends.computeIfAbsent(changeId, k -> new CompletableFuture<>());
    }
}
