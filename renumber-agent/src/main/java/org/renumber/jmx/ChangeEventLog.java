package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;

/**
 * Numbers each subscriber's change events and keeps the recent ones, so a listener that missed some (a full
 * connector buffer, a lost connection) can tell, and read them back with {@code pendingEvents}.
 *
 * <p>A subscriber's sequence grows by one with each event meant for it; the service MBean's ({@link #ALL}) with
 * every event. Each agent run starts every sequence at its {@link #base}: the run's start in milliseconds (never
 * before the latest instant in the journal) times 1,000, so a restart never reuses a number as long as no
 * subscriber hears 1,000 events per millisecond of the previous run. A listener that sees a number other than the
 * last one plus one has missed something, or the agent restarted; {@link #after} answers either way.
 */
final class ChangeEventLog {

    /** The sequence of every event: the service MBean's. */
    static final String ALL = "";
    /** Events kept for {@link #after}; older ones are dropped first. */
    static final int KEPT = 512;

    /** One event as it was sent, without the event's own copy of its recipients (one set per change is kept). */
    record Entry(ChangeEvent event, Set<String> recipients) {
    }

    /** An event and the sequence number one subscriber got it with. */
    record Sequenced(long sequence, ChangeEvent event) {
    }

    private final LongSupplier baseSupplier;
    private final Map<String, Long> last = new HashMap<>();
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long base = -1;

    /** {@code base} is asked once, at the first use: when the journal's history is loaded. */
    ChangeEventLog(LongSupplier base) {
        this.baseSupplier = requireNonNull(base, "base");
    }

    /** The first sequence number of a run that starts {@code now} after the changes of {@code journaled}. */
    static long base(Instant now, Collection<Change> journaled) {
        long latest = journaled.stream()
                .flatMap(c -> Stream.of(c.request().requestedAt(), c.progress().startedAt(), c.progress().finishedAt()))
                .filter(Objects::nonNull)
                .mapToLong(Instant::toEpochMilli)
                .max().orElse(0);
        return Math.max(now.toEpochMilli(), latest + 1) * 1_000;
    }

    /** Numbers {@code event} for the service and each of its recipients, and keeps it. */
    synchronized void append(ChangeEvent event) {
        Set<String> recipients = event.recipients();
        for (Entry entry : entries) {
            if (entry.event().change().id().equals(event.change().id()) && entry.recipients().equals(recipients)) {
                recipients = entry.recipients();
                break;
            }
        }
        long start = base();
        last.merge(ALL, start + 1, (old, one) -> old + 1);
        for (String recipient : recipients) {
            last.merge(recipient, start + 1, (old, one) -> old + 1);
        }
        entries.addLast(new Entry(strip(event), recipients));
        if (entries.size() > KEPT) {
            entries.removeFirst();
        }
    }

    /** The sequence number of the last event sent to {@code subscriberId} ({@link #ALL}: to anyone). */
    synchronized long sequence(String subscriberId) {
        return last.getOrDefault(subscriberId, base());
    }

    /** The kept events of {@code subscriberId} numbered above {@code afterSequence}, oldest first. */
    synchronized List<Sequenced> after(String subscriberId, long afterSequence) {
        List<Sequenced> found = new ArrayList<>();
        long sequence = sequence(subscriberId);
        // Only the oldest entries are ever dropped, so counting back from the last number is exact.
        for (Iterator<Entry> newestFirst = entries.descendingIterator(); newestFirst.hasNext()
                && sequence > afterSequence; ) {
            Entry entry = newestFirst.next();
            if (subscriberId.equals(ALL) || entry.recipients().contains(subscriberId)) {
                found.add(new Sequenced(sequence--, entry.event()));
            }
        }
        Collections.reverse(found);
        return found;
    }

    private long base() {
        if (base < 0) {
            base = baseSupplier.getAsLong();
        }
        return base;
    }

    // A change with 10,000 targets would otherwise keep 10,000 names per event.
    private static ChangeEvent strip(ChangeEvent event) {
        return new ChangeEvent(event.type(), event.change(), Set.of(), event.message());
    }
}
