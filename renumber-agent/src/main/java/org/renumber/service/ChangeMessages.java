package org.renumber.service;

import org.renumber.domain.AddressState;
import org.renumber.domain.Change;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;

/** The words a change's notifications and refusals use, kept apart so the workflow reads as its flow. */
final class ChangeMessages {

    private ChangeMessages() {
    }

    static String reason(Change.StartReason reason) {
        return switch (reason) {
            case ALL_TARGETS_READY -> "all targets ready";
            case WARNING_TIME_PASSED -> "warning time passed";
        };
    }

    static String notWaiting(Change change) {
        return "change " + change.id() + " is not waiting for its targets: it is "
                + change.state() + (change.warning() == null ? " and was requested without a warning"
                : change.warning().startReason() == null ? "" : " (started: " + reason(change.warning().startReason()) + ")");
    }

    static String warning(Change change, String prefix, ChangePolicy policy) {
        return prefix + "change " + change.id() + " on " + change.interfaceName() + " ("
                + change.oldAddress() + " -> " + change.newAddress() + ") starts at " + change.warning().warningEnd()
                + " at the latest, or as soon as every target has called ready(\"" + change.id()
                + "\") on its Subscription" + (change.removeOldAddress() ? "" : policy.keptNote(change));
    }

    static String unusable(Change change, AddressState state) {
        InterfaceAddress fresh = change.newAddress();
        return switch (state) {
            case DUPLICATE -> "duplicate address: another node on the link of " + change.interfaceName()
                    + " already uses " + IpLiterals.format(fresh.address()) + " (IPv6 duplicate address detection"
                    + " failed); " + change.oldAddress() + " was left untouched";
            case TENTATIVE -> "new address " + fresh + " was still tentative after "
                    + NewAddressStep.USABLE_TIMEOUT.toSeconds() + " s: duplicate address detection did not finish (is "
                    + change.interfaceName() + " up, with a carrier?)";
            case ABSENT -> "new address " + fresh + " disappeared from " + change.interfaceName()
                    + " before it became usable";
            case USABLE -> throw new IllegalArgumentException("usable is not a failure");
        };
    }

    static String drained(Change change, ChangePolicy policy) {
        return policy.drainsTargetsOnly()
                ? "no connection of the migrated applications uses " + change.oldAddress() + " any more"
                        + policy.keptNote(change)
                : "no connection uses " + change.oldAddress() + " any more";
    }

    /** A migration's end: the old address stays for the applications that were not moved. */
    static String sharedAddressKept(Change change, boolean timedOut) {
        String kept = change.oldAddress() + " stays configured for the applications that were not moved";
        return (timedOut ? change.error() + "; " : "the migrated applications are on " + change.newAddress() + "; ")
                + kept;
    }

    /** A detected change's end: the operator removes the alias when told it is safe. */
    static String aliasRemovable(Change change, boolean timedOut) {
        return timedOut
                ? change.error() + "; the alias " + change.oldAddress() + " can be removed, those connections will break"
                : "no connection uses the alias " + change.oldAddress() + " any more; it can be removed";
    }
}
