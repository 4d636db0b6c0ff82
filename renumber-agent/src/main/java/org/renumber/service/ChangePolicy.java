package org.renumber.service;

import org.renumber.domain.Change;
import org.renumber.domain.ChangeKind;

/**
 * What a kind of change does (docs/architecture.md, "Per kind"). A migration neither steers, guards nor
 * force-closes: each acts on every application on the old address, not only its targets; it waits for its targets'
 * connections only and keeps the shared old address. A detected change announces the operator's renumbering.
 *
 * @param announcesInterfaceChange the change is the operator's renumbering by hand, told as INTERFACE_CHANGED
 * @param steersNewConnections     new outbound connections are moved to the new address (routes, rules, lifetimes)
 * @param mayGuard                 the inbound guard applies when the operator asks for it
 * @param mayForceClose            the deadline force-closes when the operator asks for it
 * @param drainsTargetsOnly        only the targets' processes' connections are waited for
 * @param keepsSharedAddress       the old address stays for the applications that were not moved
 */
record ChangePolicy(boolean announcesInterfaceChange, boolean steersNewConnections, boolean mayGuard,
                    boolean mayForceClose, boolean drainsTargetsOnly, boolean keepsSharedAddress) {

    static ChangePolicy of(ChangeKind kind) {
        return switch (kind) {
            case REQUESTED -> new ChangePolicy(false, true, true, true, false, false);
            case DETECTED -> new ChangePolicy(true, true, true, true, false, false);
            case MIGRATION -> new ChangePolicy(false, false, false, false, true, true);
        };
    }

    /** What the messages add about the old address when it stays. */
    String keptNote(Change change) {
        return keepsSharedAddress
                ? "; partial migration: " + change.request().oldAddress()
                + " stays configured for the applications not moved"
                : "";
    }
}
