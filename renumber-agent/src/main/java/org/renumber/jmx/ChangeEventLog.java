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
import org.renumber.domain.port.EventJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers each subscriber's change events and keeps the recent ones, so a listener that missed some (a full
 * connector buffer, a lost connection, an agent restart) can tell, and read them back with {@code pendingEvents}.
 *
 * <p>A subscriber's sequence grows by one with each event meant for it; the service MBean's ({@link #ALL}) with
 * every event. The numbers and the kept events are journaled ({@link EventJournal}) before an event is sent, so a
 * restarted agent numbers on where it stopped and still answers for the events of its previous run. A subscriber
 * sent nothing yet starts above the base: the journal's, else the run's {@link #base}, its start in milliseconds
 * (never before the latest instant in the change journal) times 1,000, above every number an earlier run could
 * have given (as long as no subscriber heard 1,000 events per millisecond of it), so a lost event journal never
 * makes a number come twice. A listener that sees a number other than the last one plus one has missed something;
 * {@link #after} answers.
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

    private static final Logger log = LoggerFactory.getLogger(ChangeEventLog.class);

    private final LongSupplier baseSupplier;
    private final EventJournal journal;
    private final Map<String, Long> last = new HashMap<>();
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long base = -1;
    private int appendedSinceCompaction;

    /** Keeps nothing across restarts. */
    ChangeEventLog(LongSupplier base) {
        this(base, EventJournal.NONE);
    }

    /** {@code base} and the {@code journal} are read once, at the first use: when the service's history is loaded. */
    ChangeEventLog(LongSupplier base, EventJournal journal) {
        this.baseSupplier = requireNonNull(base, "base");
        this.journal = requireNonNull(journal, "journal");
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
        count(recipients);
        keep(new Entry(strip(event), recipients));
        try {
            journal.append(base, last.get(ALL), event);
            if (++appendedSinceCompaction >= KEPT) {
                journal.compact(base, Map.copyOf(last), entries.stream()
                        .map(e -> new ChangeEvent(e.event().type(), e.event().change(), e.recipients(),
                                e.event().message())).toList());
                appendedSinceCompaction = 0;
            }
        } catch (RuntimeException e) {
            // The event still goes out; only reading it back after a restart is lost.
            log.warn("could not journal the {} event of change {}: {}", event.type(), event.change().id(),
                    e.toString());
        }
    }

    private void count(Set<String> recipients) {
        long start = base();
        last.merge(ALL, start + 1, (old, one) -> old + 1);
        for (String recipient : recipients) {
            last.merge(recipient, start + 1, (old, one) -> old + 1);
        }
    }

    private void keep(Entry entry) {
        entries.addLast(entry);
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
            EventJournal.History history = journal.load();
            // A journal's numbers go on from its own base; without one, the run's start is above them all.
            base = history.base() > 0 ? history.base() : baseSupplier.getAsLong();
            restore(history);
        }
        return base;
    }

    // The numbers as journaled, then the events appended after them counted on top, as append counted them.
    private void restore(EventJournal.History history) {
        last.putAll(history.sequences());
        history.kept().forEach(e -> keep(new Entry(strip(e), e.recipients())));
        for (ChangeEvent event : history.appended()) {
            count(event.recipients());
            keep(new Entry(strip(event), event.recipients()));
        }
        appendedSinceCompaction = history.appended().size();
        if (!last.isEmpty()) {
            log.info("change events: {} kept from the previous run, numbering on from {}", entries.size(),
                    last.get(ALL));
        }
    }

    // A change with 10,000 targets would otherwise keep 10,000 names per event.
    private static ChangeEvent strip(ChangeEvent event) {
        return new ChangeEvent(event.type(), event.change(), Set.of(), event.message());
    }
}
