package org.renumber.service;

import java.util.Collection;
import org.renumber.domain.Change;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;

/**
 * The new address of every accepted change that has not ended is reserved for it, on every interface: from
 * REQUESTED and WARNING (when it is not configured yet, so the configured-address check cannot see it) until the
 * change ends. The reservations are the active changes themselves, which the journal keeps, so a restart keeps them
 * too. The service checks a claim when it validates a request and again, under its lock, when it accepts one, so two
 * requests for one address at the same moment cannot both pass.
 */
final class Reservations {

    private Reservations() {
    }

    /** Refuses {@code fresh} when one of the {@code active} changes holds it, naming that change. */
    static void refuseClaimed(Collection<Change> active, InterfaceAddress fresh) {
        for (Change holder : active) {
            if (holder.request().newAddress().address().equals(fresh.address())
                    && !holder.progress().state().isFinal()) {
                throw new IllegalStateException("new address " + IpLiterals.format(fresh.address())
                        + " is reserved by change " + holder.id() + " (" + holder.progress().state() + " on "
                        + holder.request().interfaceName() + ", " + holder.request().oldAddress() + " -> "
                        + holder.request().newAddress()
                        + "); pick another address, or wait for that change to end or cancel it");
            }
        }
    }
}
