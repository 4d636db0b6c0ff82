package org.renumber.api;

import java.util.List;

/**
 * The notification types the agent sends, as scripts and clients match on them. They never change: a new event
 * gets a new type.
 */
public final class NotificationTypes {

    /** A scheduled change is announced ahead; nothing has changed yet (scheduleChange, scheduleMigration). */
    public static final String CHANGE_WARNING = "renumber.change.warning";
    /** The new address is usable: move listeners, reconnect. */
    public static final String CHANGE_STARTED = "renumber.change.started";
    /** No connection uses the old address any more. */
    public static final String CHANGE_DRAINED = "renumber.change.drained";
    /** The drain timeout passed with connections open. */
    public static final String CHANGE_TIMEOUT = "renumber.change.timeout";
    /** The change is over. */
    public static final String CHANGE_COMPLETED = "renumber.change.completed";
    /** A step failed; the change was rolled back. */
    public static final String CHANGE_FAILED = "renumber.change.failed";
    /** An operator cancelled; the change was rolled back. */
    public static final String CHANGE_CANCELLED = "renumber.change.cancelled";
    /** A renumbering done by hand was recognised; a detected change follows it. */
    public static final String INTERFACE_CHANGED = "renumber.interface.changed";
    /** A detected change drained (or timed out): the old address, now an alias, may be removed. */
    public static final String ALIAS_REMOVABLE = "renumber.alias.removable";

    /** An address was removed by hand under live connections and not configured again (InterfaceMonitor). */
    public static final String ADDRESS_LOST = "renumber.address.lost";
    /** The interface monitor stopped receiving the kernel's address events. */
    public static final String MONITOR_FAILED = "renumber.monitor.failed";
    /** The interface monitor receives the kernel's address events again. */
    public static final String MONITOR_RECOVERED = "renumber.monitor.recovered";

    /** A legacy application was restarted for a change (ApplicationMonitor). */
    public static final String APPLICATION_RESTARTED = "renumber.application.restarted";
    /** A legacy application could not be restarted for a change. */
    public static final String APPLICATION_FAILED = "renumber.application.failed";

    /** Every type a change's subscribers hear, with {@link UserDataKeys.ChangeEvent} user data. */
    public static final List<String> CHANGE = List.of(CHANGE_WARNING, CHANGE_STARTED, CHANGE_DRAINED, CHANGE_TIMEOUT,
            CHANGE_COMPLETED, CHANGE_FAILED, CHANGE_CANCELLED, INTERFACE_CHANGED, ALIAS_REMOVABLE);
    /** The types after which a change sends nothing more. */
    public static final List<String> FINAL = List.of(CHANGE_COMPLETED, CHANGE_TIMEOUT, CHANGE_FAILED,
            CHANGE_CANCELLED);

    private NotificationTypes() {
    }
}
