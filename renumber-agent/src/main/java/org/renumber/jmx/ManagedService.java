package org.renumber.jmx;

import org.renumber.api.MBeanNames;
import static java.util.Objects.requireNonNull;

import java.util.Map;
import javax.management.openmbean.CompositeData;
import org.renumber.domain.Subscription;
import org.renumber.service.AddressChangeService;
import org.weakref.jmx.Managed;

/**
 * {@code renumber:type=AddressChangeService}: request, await and cancel address changes, manage subscribers,
 * and see the node's changes at a glance. It also emits every change notification (see {@link JmxAdapter}).
 */
@MBeanDescription(description = "Address changes on this node: request, await and cancel them, manage "
        + "subscribers; emits every change notification")
public final class ManagedService {

    private final AddressChangeService service;
    private final ChangeEventLog events;

    ManagedService(AddressChangeService service, ChangeEventLog events) {
        this.service = requireNonNull(service, "service");
        this.events = requireNonNull(events, "events");
    }

    @Managed(description = "The change events sent to a subscriber with a sequence number above afterSequence, "
            + "oldest first, from the active and recent changes (the agent keeps its last " + ChangeEventLog.KEPT
            + " events, also across its restarts). Each is the notification's userData (with its 'sequence') plus 'notificationType' and "
            + "'message'. A listener that sees a sequence other than its last plus one, or a lost-notifications "
            + "report from its connector, calls this with the last sequence it handled")
    public CompositeData[] pendingEvents(
            @Param(description = "the subscriber's id; empty for every event (the numbers of this MBean's own "
                    + "notifications)") String subscriberId,
            @Param(description = "the last sequence number handled; the events after it are returned")
            long afterSequence) {
        String id = subscriberId == null ? "" : TextArguments.stripped(subscriberId);
        if (!id.isEmpty() && service.subscribers().find(id).isEmpty()) {
            throw new IllegalArgumentException("no subscriber with id '" + id + "'; pendingEvents takes the id of a "
                    + "subscription, or empty for every event");
        }
        return events.after(id, afterSequence).stream().map(ChangeNotifications::pending)
                .toArray(CompositeData[]::new);
    }

    @Managed(description = "Sequence number of the last change event this MBean sent (each notification's "
            + "userData carries its number as 'sequence')")
    public long getSequence() {
        return events.sequence(ChangeEventLog.ALL);
    }

    @Managed(description = "Moves an interface from one address to another: adds the new address, moves the "
            + "routes with src OLD (every table) to it and gives it the policy rules 'from OLD' and 'to OLD', "
            + "notifies the targeted subscribers, waits until the old address's connections are gone (or the drain "
            + "timeout), then removes the old address and its rules. Returns the change id at once; follow it with "
            + "awaitChange, the renumber:type=AddressChange,id=<id> MBean or the notifications.")
    public String changeAddress(
            @Param(description = ChangeParams.INTERFACE) String interfaceName,
            @Param(description = ChangeParams.OLD_ADDRESS) String oldAddress,
            @Param(description = ChangeParams.NEW_ADDRESS) String newAddress,
            @Param(description = ChangeParams.TARGETS) String targets,
            @Param(description = ChangeParams.DRAIN_TIMEOUT) long drainTimeoutSeconds) {
        return service.changeAddress(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds);
    }

    @Managed(description = "Like changeAddress, but the targets are warned first (renumber.change.warning, state "
            + "WARNING; nothing changes yet). The change starts when every target has called ready(changeId) on its "
            + "Subscription, or when warningSeconds pass; its StartReason attribute says which. cancelChange works "
            + "during the warning. Returns the change id at once")
    public String scheduleChange(
            @Param(description = ChangeParams.INTERFACE) String interfaceName,
            @Param(description = ChangeParams.OLD_ADDRESS) String oldAddress,
            @Param(description = ChangeParams.NEW_ADDRESS) String newAddress,
            @Param(description = ChangeParams.WARNED_TARGETS) String targets,
            @Param(description = ChangeParams.DRAIN_TIMEOUT) long drainTimeoutSeconds,
            @Param(description = ChangeParams.WARNING_SECONDS) long warningSeconds) {
        return service.scheduleChange(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds,
                warningSeconds);
    }

    @Managed(description = "Partial migration: moves only the targeted applications to the new address while the "
            + "others keep the old one. Adds the new address (unless it is already on the interface), notifies only "
            + "the targets, waits only for the connections of their processes (the Pid on their Subscriptions), and "
            + "does not remove the old address. Outbound traffic is not steered, and no inbound guard or force-close "
            + "applies: those would move or cut the other applications too. Returns the change id at once")
    public String migrateSubscribers(
            @Param(description = ChangeParams.SHARED_INTERFACE) String interfaceName,
            @Param(description = ChangeParams.SHARED_OLD_ADDRESS) String oldAddress,
            @Param(description = ChangeParams.MIGRATED_NEW_ADDRESS) String newAddress,
            @Param(description = ChangeParams.MOVED_TARGETS) String targets,
            @Param(description = ChangeParams.MIGRATION_DRAIN_TIMEOUT) long drainTimeoutSeconds) {
        return service.migrateSubscribers(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds);
    }

    @Managed(description = "Partial migration with a warning first: like migrateSubscribers, but the targets get "
            + "renumber.change.warning (state WARNING; nothing changes yet) and the migration starts when every "
            + "target has called ready(changeId) on its Subscription, or when warningSeconds pass; its StartReason "
            + "attribute says which. cancelChange works during the warning. Returns the change id at once")
    public String scheduleMigration(
            @Param(description = ChangeParams.SHARED_INTERFACE) String interfaceName,
            @Param(description = ChangeParams.SHARED_OLD_ADDRESS) String oldAddress,
            @Param(description = ChangeParams.MIGRATED_NEW_ADDRESS) String newAddress,
            @Param(description = ChangeParams.WARNED_MOVED_TARGETS) String targets,
            @Param(description = ChangeParams.MIGRATION_DRAIN_TIMEOUT) long drainTimeoutSeconds,
            @Param(description = ChangeParams.MIGRATION_WARNING_SECONDS) long warningSeconds) {
        return service.scheduleMigration(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds,
                warningSeconds);
    }

    @Managed(description = "Dry run of changeAddress with the same arguments: validates them exactly as "
            + "changeAddress would and says what it would do, changing nothing. Returns a map: valid, refusal (the "
            + "message changeAddress would refuse with; empty when valid), kind, interfaceName, oldAddress, newAddress, "
            + "usable (when the new address would be usable), routes [{table, before, after}] and rules [{action, "
            + "rule}] in iproute2's words, subscribers [{id, group, scope, pid}] that would be told, applications "
            + "(legacy ones that would be restarted), guardNewConnections, forceCloseAtDeadline, drainTimeoutSeconds, "
            + "connections [{local, remote, state, pid, process}] on the old address now, listeners, holders")
    public Map<String, Object> planChange(
            @Param(description = ChangeParams.INTERFACE) String interfaceName,
            @Param(description = ChangeParams.OLD_ADDRESS) String oldAddress,
            @Param(description = ChangeParams.NEW_ADDRESS) String newAddress,
            @Param(description = ChangeParams.PLANNED_TARGETS) String targets,
            @Param(description = "how long the change would wait for connections on the old address to close, in "
                    + "seconds (0 to 604800)") long drainTimeoutSeconds) {
        return PlanView.of(service.planner().planChange(interfaceName, oldAddress, newAddress, targets,
                drainTimeoutSeconds));
    }

    @Managed(description = "Dry run of migrateSubscribers with the same arguments: validates them exactly as "
            + "migrateSubscribers would and says what it would do, changing nothing. Returns the same map as "
            + "planChange (kind MIGRATION: no routes or rules move, no guard or force-close applies)")
    public Map<String, Object> planMigration(
            @Param(description = ChangeParams.SHARED_INTERFACE) String interfaceName,
            @Param(description = "the shared address the targets would leave, as configured on the interface (e.g. "
                    + "10.9.0.1)") String oldAddress,
            @Param(description = "address the targets would move to, ADDRESS/PREFIX (e.g. 10.9.0.7/24); it may "
                    + "already be on this interface") String newAddress,
            @Param(description = ChangeParams.PLANNED_MOVED_TARGETS) String targets,
            @Param(description = "how long the migration would wait for the targets' connections on the old address "
                    + "to close, in seconds (0 to 604800)") long drainTimeoutSeconds) {
        return PlanView.of(service.planner().planMigration(interfaceName, oldAddress, newAddress, targets,
                drainTimeoutSeconds));
    }

    @Managed(description = "Subscribes an application to address change notifications and returns the ObjectName "
            + "of its renumber:type=Subscription,id=<subscriberId> MBean; listen there for the notifications "
            + "targeted at it")
    public String subscribe(
            @Param(description = "unique subscriber id: 1-64 letters, digits, '.', '_', '@' or '-'")
            String subscriberId,
            @Param(description = "optional group name, targeted with group:NAME; empty for none") String group,
            @Param(description = "which changes concern the subscriber: empty for all, an IP address, or an "
                    + "interface name") String scope) {
        Subscription subscription = service.subscribers().subscribe(subscriberId, group, scope);
        return MBeanNames.subscription(subscription.subscriberId()).toString();
    }

    @Managed(description = "Removes a subscription and its renumber:type=Subscription MBean")
    public void unsubscribe(@Param(description = "id given to subscribe") String subscriberId) {
        service.subscribers().unsubscribe(TextArguments.stripped(subscriberId));
    }

    @Managed(description = "Blocks until the change ends or the timeout passes and returns its state then "
            + "(COMPLETED, TIMED_OUT, FAILED, CANCELLED, or the state it is still in)")
    public String awaitChange(
            @Param(description = ChangeParams.CHANGE_ID) String changeId,
            @Param(description = "longest time to wait, in seconds (0 to 86400)") long timeoutSeconds) {
        return blocking("waiting for change " + changeId, () -> service.awaitChange(changeId, timeoutSeconds))
                .name();
    }

    @Managed(description = "Cancels a change that has not started removing the old address: the routes go back "
            + "to the old address, the rules added for the new one are deleted, the new address is removed, the old "
            + "one stays, and renumber.change.cancelled is sent")
    public void cancelChange(@Param(description = ChangeParams.CHANGE_ID) String changeId) {
        blocking("cancelling change " + changeId, () -> {
            service.cancelChange(changeId);
            return null;
        });
    }

    @Managed(description = "Refuse new inbound TCP connections to the old address (TCP reset) from "
            + "renumber.change.started until the change ends; established connections keep flowing. Needs nft; "
            + "default false; persisted")
    public boolean isGuardNewConnections() {
        return service.settings().guardNewConnections();
    }

    @Managed
    public void setGuardNewConnections(boolean on) {
        service.setGuardNewConnections(on);
    }

    @Managed(description = "At the drain deadline, destroy the TCP connections and UDP sockets still on the old "
            + "address (the applications see a reset) and report how many; default false; persisted")
    public boolean isForceCloseAtDeadline() {
        return service.settings().forceCloseAtDeadline();
    }

    @Managed
    public void setForceCloseAtDeadline(boolean on) {
        service.setForceCloseAtDeadline(on);
    }

    @Managed(description = "How long one dispatcher hook may run before it is killed and counted failed, in "
            + "seconds (1 to 600); default 30; persisted")
    public long getHookTimeoutSeconds() {
        return service.settings().hookTimeoutSeconds();
    }

    @Managed
    public void setHookTimeoutSeconds(long seconds) {
        service.setHookTimeoutSeconds(seconds);
    }

    @Managed(description = "Subscribers, one line each: id, group, scope and the process id when recorded")
    public String[] getSubscribers() {
        return service.subscribers().all().stream().map(ManagedService::describe).toArray(String[]::new);
    }

    @Managed(description = "Number of subscribers")
    public int getSubscriberCount() {
        return service.subscribers().all().size();
    }

    @Managed(description = "Changes in progress, one line each: id, interface, old -> new, state, remaining "
            + "connections, deadline")
    public String[] getActiveChanges() {
        return service.activeChanges().stream().map(ManagedChange::describe).toArray(String[]::new);
    }

    @Managed(description = "Number of changes in progress")
    public int getActiveChangeCount() {
        return service.activeChanges().size();
    }

    @Managed(description = "Finished changes, most recent first, one line each: id, interface, old -> new, final "
            + "state, outcome, error")
    public String[] getRecentChanges() {
        return service.recentChanges().stream().map(ManagedChange::describe).toArray(String[]::new);
    }

    /** A call that waits; an interrupted wait is refused to the caller and the interrupt kept. */
    private interface Blocking<T> {
        T call() throws InterruptedException;
    }

    private static <T> T blocking(String what, Blocking<T> call) {
        try {
            return call.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what);
        }
    }

    private static String describe(Subscription s) {
        return s.subscriberId() + " group=" + (s.group().isEmpty() ? "(none)" : s.group())
                + " scope=" + (s.scope().isEmpty() ? "(all)" : s.scope())
                + (s.pid() == 0 ? "" : " pid=" + s.pid());
    }
}
