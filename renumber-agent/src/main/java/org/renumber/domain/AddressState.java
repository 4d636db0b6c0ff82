package org.renumber.domain;

/**
 * Whether an address on an interface can be used: bound to, and chosen as a source. IPv6 runs duplicate
 * address detection (RFC 4862) on a new address before it is usable; IPv4 addresses are usable at once.
 */
public enum AddressState {
    /** Configured and usable (DAD done, or not needed). */
    USABLE,
    /** Duplicate address detection is still running ({@code tentative}): binding to it fails. */
    TENTATIVE,
    /** Duplicate address detection found another node using the address on the link ({@code dadfailed}). */
    DUPLICATE,
    /** Not configured on the interface (never added, or removed). */
    ABSENT
}
