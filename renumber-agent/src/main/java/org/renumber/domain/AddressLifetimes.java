package org.renumber.domain;

/**
 * The preferred and valid lifetime of an address, in seconds from now, as the kernel reports them
 * ({@code ip addr}'s {@code preferred_lft} and {@code valid_lft}). An address whose preferred lifetime is 0 is
 * deprecated: it keeps working for the connections that use it, but source address selection avoids it for new
 * ones (RFC 4862 5.5.4, RFC 6724 rule 3). {@link #FOREVER} is the kernel's infinity.
 */
public record AddressLifetimes(long preferredSeconds, long validSeconds) {

    /** {@code INFINITY_LIFE_TIME}: {@code forever}. */
    public static final long FOREVER = 0xFFFF_FFFFL;
    public static final AddressLifetimes PERMANENT = new AddressLifetimes(FOREVER, FOREVER);

    public AddressLifetimes {
        if (validSeconds < 0 || validSeconds > FOREVER) {
            throw new IllegalArgumentException("valid lifetime " + validSeconds + " s is out of range 0-" + FOREVER);
        }
        if (preferredSeconds < 0 || preferredSeconds > validSeconds) {
            throw new IllegalArgumentException("preferred lifetime " + preferredSeconds
                    + " s is out of range 0-" + validSeconds + " (the valid lifetime)");
        }
    }

    public boolean isDeprecated() {
        return preferredSeconds == 0;
    }

    /** The same valid lifetime with preferred lifetime 0. */
    public AddressLifetimes deprecated() {
        return new AddressLifetimes(0, validSeconds);
    }

    /**
     * The lifetimes to give back to an address that had {@code this} when it was deprecated and has
     * {@code current} now: forever stays forever; a finite preferred lifetime is what would be left of it had
     * it run on meanwhile (time passed is read off the valid lifetime, which the kernel kept counting down).
     * The valid lifetime is the current one: undoing a deprecation never extends an address's validity.
     */
    public AddressLifetimes restoredFrom(AddressLifetimes current) {
        long preferred = preferredSeconds;
        if (preferred != FOREVER && validSeconds != FOREVER && current.validSeconds != FOREVER) {
            preferred -= Math.max(0, validSeconds - current.validSeconds);
        }
        return new AddressLifetimes(Math.max(0, Math.min(preferred, current.validSeconds)), current.validSeconds);
    }

    @Override
    public String toString() {
        return "preferred_lft " + text(preferredSeconds) + " valid_lft " + text(validSeconds);
    }

    private static String text(long seconds) {
        return seconds == FOREVER ? "forever" : seconds + "sec";
    }
}
