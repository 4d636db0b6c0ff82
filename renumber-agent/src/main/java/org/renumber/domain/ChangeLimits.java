package org.renumber.domain;

import java.time.Duration;

/** The bounds an operator's change request must stay within, wherever it comes from. */
public final class ChangeLimits {

    /** Longest drain an operator may ask for: a week. Anything longer is a typo. */
    public static final long MAX_DRAIN_SECONDS = Duration.ofDays(7).toSeconds();

    private ChangeLimits() {
    }
}
