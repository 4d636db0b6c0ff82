package org.renumber.domain;

/** How a finished change ended: why the old address went away, or why it did not. */
public enum Outcome {
    /** Every connection on the old address closed before the deadline. */
    DRAINED,
    /** The drain deadline passed with connections still open; the old address was removed anyway. */
    TIMED_OUT,
    /** A step failed; what the change had done was rolled back. */
    FAILED,
    /** An operator cancelled the change; what it had done was rolled back. */
    CANCELLED
}
