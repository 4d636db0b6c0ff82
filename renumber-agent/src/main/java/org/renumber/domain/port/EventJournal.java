package org.renumber.domain.port;

import java.util.List;
import java.util.Map;
import org.renumber.domain.ChangeEvent;

/**
 * Durable record of the change events sent to subscribers and of each subscriber's sequence number, so an agent
 * that restarts numbers on where it stopped and can still hand a subscriber the recent events it missed while the
 * agent was down (docs/architecture.md, "Delivery"). Bounded: {@link #compact} replaces what is kept.
 */
public interface EventJournal {

    /** Keeps nothing: a restarted agent starts numbering afresh (above every earlier number). */
    EventJournal NONE = new EventJournal() {
        @Override
        public History load() {
            return History.EMPTY;
        }

        @Override
        public void append(long base, long serviceSequence, ChangeEvent event) {
        }

        @Override
        public void compact(long base, Map<String, Long> sequences, List<ChangeEvent> kept) {
        }
    };

    /**
     * What earlier runs left, oldest first: the number a subscriber's first event follows ({@code base}, 0 when
     * nothing was journaled), the sequence numbers as of the last {@link #compact} (the service's own under the
     * empty id) with the events kept then, and the events appended after it, which those numbers do not count yet.
     * Each event carries its recipients.
     */
    record History(long base, Map<String, Long> sequences, List<ChangeEvent> kept, List<ChangeEvent> appended) {
        public static final History EMPTY = new History(0, Map.of(), List.of(), List.of());

        public History {
            sequences = Map.copyOf(sequences);
            kept = List.copyOf(kept);
            appended = List.copyOf(appended);
        }
    }

    History load();

    /**
     * Records {@code event} (with its recipients) before it is sent; {@code serviceSequence} is its service number,
     * {@code base} the number a subscriber's first event follows.
     */
    void append(long base, long serviceSequence, ChangeEvent event);

    /** Replaces the record with {@code base}, {@code sequences} and the events {@code kept}. */
    void compact(long base, Map<String, Long> sequences, List<ChangeEvent> kept);
}
