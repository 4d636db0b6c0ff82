package org.renumber.domain;

import java.util.Objects;

/**
 * A policy routing rule that selects packets by their source address ({@code ip rule add from ADDR lookup TABLE}),
 * as a {@link NetworkControl} lists it: how a multi-homed node routes the traffic of each of its addresses. Such a
 * rule does not follow its address, so a change gives the new address the same rule before applications move to
 * it, journals it so a rollback can remove it, and removes the old address's rule with the old address.
 *
 * @param text          what the rule is, for people, in iproute2's syntax with its source as it is now
 *                      ({@code from 10.9.0.1 lookup 100 priority 1000})
 * @param key           the adapter's exact encoding of everything about the rule but its source address, so that
 *                      the same rule can be added or deleted for another address, by this or a restarted agent;
 *                      two rules that differ only in their source address have the same key
 * @param singleAddress whether the rule selects exactly the one address, and only it ({@code from A/32} or
 *                      {@code from A/128}, not inverted): only such a rule has an equivalent for the new address.
 *                      A wider one ({@code from 10.9.0.0/24}) is the operator's to change.
 */
public record SourceRule(String text, String key, boolean singleAddress) {

    public SourceRule {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
        return text;
    }
}
