package org.renumber.domain;

import java.util.Objects;
import org.renumber.domain.port.NetworkControl;

/**
 * A policy routing rule that selects packets by an address, as their source ({@code ip rule add from ADDR lookup
 * TABLE}), their destination ({@code to ADDR}) or both, as a {@link NetworkControl} lists it for that address: how a
 * multi-homed node routes the traffic of each of its addresses. Such a rule does not follow its address, so a change
 * gives the new address the same rule before applications move to it, journals it so a rollback can remove it, and
 * removes the old address's rule with the old address.
 *
 * @param text          what the rule is, for people, in iproute2's syntax with its addresses as they are now
 *                      ({@code from 10.9.0.1 lookup 100 priority 1000}, {@code from all to 10.9.0.1 lookup 100
 *                      priority 1001})
 * @param key           the adapter's exact encoding of everything about the rule but the address it was listed for,
 *                      and of which selectors named that address, so that the same rule can be added or deleted for
 *                      another address, by this or a restarted agent: two rules that differ only in that address,
 *                      in the same selectors, have the same key
 * @param singleAddress whether the rule names exactly the one address in a selector ({@code from A/32},
 *                      {@code to A/128}) and is not inverted: only such a rule has an equivalent for the new address.
 *                      One that selects it only through a wider prefix ({@code to 10.9.0.0/24}) is the operator's to
 *                      change; the other selectors of a rule that names the address stay as they are. (Named when only
 *                      {@code from} rules were copied, and kept so that the journals of that time read alike.)
 */
public record AddressRule(String text, String key, boolean singleAddress) {

    public AddressRule {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(key, "key");
    }

    @Override
    public String toString() {
        return text;
    }
}
