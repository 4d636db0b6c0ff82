package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import org.renumber.domain.Change;
import org.renumber.domain.ChangeWarning;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.port.SocketInventory;
import org.renumber.service.AddressChangeService;
import org.weakref.jmx.Managed;

/**
 * {@code renumber:type=AddressChange,id=<changeId>}: one change, while it runs and for the recent history.
 * Every getter reads the change's current version; absent values (no outcome yet, no deadline before STARTED)
 * are empty strings.
 */
@MBeanDescription(description = "One address change, while it runs and for the recent history")
public final class ManagedChange {

    private final AddressChangeService service;
    private final SocketInventory inventory;
    private final String id;

    public ManagedChange(AddressChangeService service, SocketInventory inventory, String id) {
        this.service = requireNonNull(service, "service");
        this.inventory = requireNonNull(inventory, "inventory");
        this.id = requireNonNull(id, "id");
    }

    @Managed(description = "Whether new inbound connections to the old address are being refused (inbound guard)")
    public boolean isGuardApplied() {
        return change().progress().steps().guardApplied();
    }

    @Managed(description = "What the agent destroyed on the old address at the drain deadline; empty if nothing")
    public String getForceClosed() {
        return ChangeNotifications.text(change().progress().steps().forceClosed());
    }

    @Managed(description = "TCP listeners still bound to the old address while the change runs; they stop "
            + "accepting once it is removed")
    public String[] getListeners() {
        Change change = change();
        return change.isFinished() ? new String[0] : inventory.tcpListeners(change.request().oldAddress().address())
                .stream()
                .map(SocketEntry::describe).toArray(String[]::new);
    }

    @Managed(description = "UDP sockets still bound to the old address while the change runs; silently dead once "
            + "it is removed")
    public String[] getUdpSockets() {
        Change change = change();
        return change.isFinished() ? new String[0] : inventory.udpSockets(change.request().oldAddress().address())
                .stream()
                .map(SocketEntry::describe).toArray(String[]::new);
    }

    @Managed(description = "REQUESTED (changeAddress, scheduleChange), DETECTED (renumbered by hand) or MIGRATION "
            + "(migrateSubscribers: only the targets move, the old address stays)")
    public String getKind() {
        return change().request().kind().name();
    }

    @Managed(description = "Whether the old address stays configured when the change ends (a migration keeps it for "
            + "the applications not moved; a detected change leaves the alias to the operator unless told otherwise)")
    public boolean isOldAddressKept() {
        return !change().request().removeOldAddress();
    }

    @Managed(description = "When a scheduled change starts at the latest (ISO-8601); empty for a change without a "
            + "warning")
    public String getWarningEnd() {
        ChangeWarning warning = change().request().warning();
        return warning == null ? "" : ChangeNotifications.instant(warning.warningEnd());
    }

    @Managed(description = "Warning time of a scheduled change, in seconds; 0 for a change without a warning")
    public long getWarningSeconds() {
        ChangeWarning warning = change().request().warning();
        return warning == null ? 0 : warning.warningSeconds();
    }

    @Managed(description = "Targets of a scheduled change that called ready(changeId), in the order they did")
    public String[] getAcknowledged() {
        ChangeWarning warning = change().request().warning();
        return warning == null ? new String[0] : warning.acknowledged().toArray(String[]::new);
    }

    @Managed(description = "Why a scheduled change left its warning: ALL_TARGETS_READY or WARNING_TIME_PASSED; empty "
            + "while it is warning, and for a change without a warning")
    public String getStartReason() {
        ChangeWarning warning = change().request().warning();
        return warning == null || warning.startReason() == null ? "" : warning.startReason().name();
    }

    @Managed(description = "Processes still holding TCP sockets on the old address while the change runs, one line "
            + "each: pid, command line, connections (and listeners): who is delaying the change. Looks for those "
            + "sockets only, at each read")
    public String[] getHolders() {
        Change change = change();
        return change.isFinished() ? new String[0]
                : service.holders(change.request().oldAddress().address()).toArray(String[]::new);
    }

    @Managed(description = "Change id")
    public String getId() {
        return id;
    }

    @Managed(description = "Current state: REQUESTED, WARNING, ADDING, DRAINING, REMOVING, or the final COMPLETED, "
            + "TIMED_OUT, FAILED, CANCELLED")
    public String getState() {
        return change().progress().state().name();
    }

    @Managed(description = "Interface being renumbered")
    public String getInterfaceName() {
        return change().request().interfaceName();
    }

    @Managed(description = "Address being replaced, ADDRESS/PREFIX")
    public String getOldAddress() {
        return change().request().oldAddress().toString();
    }

    @Managed(description = "Address replacing it, ADDRESS/PREFIX")
    public String getNewAddress() {
        return change().request().newAddress().toString();
    }

    @Managed(description = "Targets as requested: empty for every matching subscriber, otherwise ids and group:NAME")
    public String getTargets() {
        return change().request().targets();
    }

    @Managed(description = "Subscriber ids the targets resolved to when the change was accepted")
    public String[] getSubscribers() {
        return change().request().subscriberIds().toArray(String[]::new);
    }

    @Managed(description = "Live connections still using the old address at the last count")
    public int getRemainingConnections() {
        return change().progress().remainingConnections();
    }

    @Managed(description = "How the change ended: DRAINED, TIMED_OUT, FAILED or CANCELLED; empty while it runs")
    public String getOutcome() {
        Change change = change();
        return change.progress().outcome() == null ? "" : change.progress().outcome().name();
    }

    @Managed(description = "Why the change failed or timed out; empty otherwise")
    public String getError() {
        return ChangeNotifications.text(change().progress().error());
    }

    @Managed(description = "Drain timeout requested, in seconds")
    public long getDrainTimeoutSeconds() {
        return change().request().drainTimeoutSeconds();
    }

    @Managed(description = "When the change was requested (ISO-8601)")
    public String getRequestedAt() {
        return ChangeNotifications.instant(change().request().requestedAt());
    }

    @Managed(description = "When the new address became usable and subscribers were told to move (ISO-8601); "
            + "empty before")
    public String getStartedAt() {
        return ChangeNotifications.instant(change().progress().startedAt());
    }

    @Managed(description = "When the drain ends at the latest (ISO-8601); empty before the change started")
    public String getDeadline() {
        return ChangeNotifications.instant(change().progress().deadline());
    }

    @Managed(description = "When the change reached its final state (ISO-8601); empty while it runs")
    public String getFinishedAt() {
        return ChangeNotifications.instant(change().progress().finishedAt());
    }

    private Change change() {
        return service.change(id).orElseThrow(() -> new IllegalStateException(
                "change " + id + " is no longer in the agent's history"));
    }

    /** One readable line for the service's ActiveChanges and RecentChanges attributes. */
    static String describe(Change c) {
        StringBuilder line = new StringBuilder()
                .append(c.id()).append(' ').append(c.request().interfaceName()).append(' ')
                .append(c.request().oldAddress()).append(" -> ").append(c.request().newAddress()).append(' ')
                .append(c.progress().state());
        if (c.progress().state().isFinal()) {
            line.append(" outcome=").append(c.progress().outcome() == null ? "-" : c.progress().outcome().name());
            if (c.progress().finishedAt() != null) {
                line.append(" finished=").append(c.progress().finishedAt());
            }
        } else {
            line.append(" remaining=").append(c.progress().remainingConnections());
            if (c.progress().deadline() != null) {
                line.append(" deadline=").append(c.progress().deadline());
            }
        }
        line.append(" targets=").append(c.request().targets().isEmpty() ? "(all matching)" : c.request().targets());
        if (c.progress().error() != null && !c.progress().error().isEmpty()) {
            line.append(" error=").append(c.progress().error());
        }
        return line.toString();
    }
}
