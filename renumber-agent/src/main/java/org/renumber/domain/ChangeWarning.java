package org.renumber.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The warning of a scheduled change (scheduleChange), journaled with it so a restarted agent keeps the same end and
 * the acknowledgements already received.
 *
 * @param warningSeconds how long the operator allowed the targets to prepare
 * @param warningEnd     when the change starts at the latest
 * @param acknowledged   the targets that called {@code ready(changeId)}, in the order they did
 * @param startReason    why the warning ended; null while it runs
 */
public record ChangeWarning(long warningSeconds, Instant warningEnd, List<String> acknowledged,
                            StartReason startReason) {

    /** Why a scheduled change left its warning. */
    public enum StartReason {
        /** Every target called {@code ready(changeId)} (or the change had no targets to wait for). */
        ALL_TARGETS_READY,
        /** The warning time passed before every target was ready. */
        WARNING_TIME_PASSED
    }

    public ChangeWarning {
        Objects.requireNonNull(warningEnd, "warningEnd");
        acknowledged = acknowledged == null ? List.of() : List.copyOf(acknowledged);
    }

    /** A warning of {@code warningSeconds} from {@code now}: nobody has acknowledged yet. */
    public static ChangeWarning starting(Instant now, long warningSeconds) {
        return new ChangeWarning(warningSeconds, now.plusSeconds(warningSeconds), List.of(), null);
    }

    public ChangeWarning acknowledgedBy(String subscriberId) {
        if (acknowledged.contains(subscriberId)) {
            return this;
        }
        List<String> more = new ArrayList<>(acknowledged);
        more.add(subscriberId);
        return new ChangeWarning(warningSeconds, warningEnd, more, startReason);
    }

    public ChangeWarning endedBecause(StartReason reason) {
        return new ChangeWarning(warningSeconds, warningEnd, acknowledged, reason);
    }

    /** Whether every one of {@code targets} has acknowledged (true for no targets). */
    public boolean allReady(List<String> targets) {
        return acknowledged.containsAll(targets);
    }
}
