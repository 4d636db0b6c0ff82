package org.renumber.service;

import org.renumber.domain.AddressState;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeWarning;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;

/** The words a change's notifications and refusals use, kept apart so the workflow reads as its flow. */
final class ChangeMessages {

    private ChangeMessages() {
    }

    static String reason(ChangeWarning.StartReason reason) {
        return switch (reason) {
            case ALL_TARGETS_READY -> "all targets ready";
            case WARNING_TIME_PASSED -> "warning time passed";
        };
    }

    static String notWaiting(Change change) {
        ChangeWarning warning = change.request().warning();
        return "change " + change.id() + " is not waiting for its targets: it is " + change.progress().state()
                + (warning == null ? " and was requested without a warning"
                : warning.startReason() == null ? "" : " (started: " + reason(warning.startReason()) + ")");
    }

    static String warning(Change change, String prefix, ChangePolicy policy) {
        ChangeRequest request = change.request();
        return prefix + "change " + change.id() + " on " + request.interfaceName() + " (" + request.oldAddress()
                + " -> " + request.newAddress() + ") starts at " + request.warning().warningEnd()
                + " at the latest, or as soon as every target has called ready(\"" + change.id()
                + "\") on its Subscription" + (request.removeOldAddress() ? "" : policy.keptNote(change));
    }

    static String unusable(Change change, AddressState state) {
        InterfaceAddress fresh = change.request().newAddress();
        return switch (state) {
            case DUPLICATE -> "duplicate address: another node on the link of " + change.request().interfaceName()
                    + " already uses " + IpLiterals.format(fresh.address()) + " (IPv6 duplicate address detection"
                    + " failed); " + change.request().oldAddress() + " was left untouched";
            case TENTATIVE -> "new address " + fresh + " was still tentative after "
                    + NewAddressStep.USABLE_TIMEOUT.toSeconds() + " s: duplicate address detection did not finish (is "
                    + change.request().interfaceName() + " up, with a carrier?)";
            case ABSENT -> "new address " + fresh + " disappeared from " + change.request().interfaceName()
                    + " before it became usable";
            case USABLE -> throw new IllegalArgumentException("usable is not a failure");
        };
    }

    static String drained(Change change, ChangePolicy policy) {
        return policy.drainsTargetsOnly()
                ? "no connection of the migrated applications uses " + change.request().oldAddress() + " any more"
                        + policy.keptNote(change)
                : "no connection uses " + change.request().oldAddress() + " any more";
    }

    /** A migration's end: the old address stays for the applications that were not moved. */
    static String sharedAddressKept(Change change, boolean timedOut) {
        String kept = change.request().oldAddress() + " stays configured for the applications that were not moved";
        return (timedOut ? change.progress().error() + "; "
                : "the migrated applications are on " + change.request().newAddress() + "; ")
                + kept;
    }

    /** A detected change's end: the operator removes the alias when told it is safe. */
    static String aliasRemovable(Change change, boolean timedOut) {
        return timedOut
                ? change.progress().error() + "; the alias " + change.request().oldAddress()
                        + " can be removed, those connections will break"
                : "no connection uses the alias " + change.request().oldAddress() + " any more; it can be removed";
    }

    static String notBroughtUp(Change change, RuntimeException e) {
        return "could not bring up " + change.request().newAddress() + " on " + change.request().interfaceName() + ": "
                + e.getMessage();
    }

    static String notSteered(Change change, RuntimeException e) {
        return "could not steer new connections from " + change.request().oldAddress() + " to "
                + change.request().newAddress() + ": " + e.getMessage();
    }

    static String notGuarded(Change change, RuntimeException e) {
        return "could not refuse new connections to " + change.request().oldAddress() + ": " + e.getMessage();
    }

    static String started(Change change, ChangePolicy policy) {
        return "new address " + change.request().newAddress() + " is usable; move off " + change.request().oldAddress()
                + policy.keptNote(change);
    }

    static String timedOut(Change change, int remaining) {
        return remaining + " connection(s) still used " + change.request().oldAddress() + " when the "
                + change.request().drainTimeoutSeconds() + " s drain timeout passed";
    }

    static String newAddressGone(Change change) {
        return "the new address " + change.request().newAddress() + " is no longer on "
                + change.request().interfaceName() + "; the old address was kept";
    }

    static String notRemoved(Change change, RuntimeException e) {
        return "could not remove the old address " + change.request().oldAddress() + " (both addresses remain on "
                + change.request().interfaceName() + "): " + e.getMessage();
    }
}
