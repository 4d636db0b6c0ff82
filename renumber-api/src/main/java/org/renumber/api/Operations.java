package org.renumber.api;

import java.util.List;

/** The operations of the agent's MBeans that clients and scripts invoke, with their exact signatures. */
public final class Operations {

    private static final String STRING = String.class.getName();
    private static final String LONG = "long";

    // renumber:type=AddressChangeService
    /** changeAddress(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds): the change id. */
    public static final Operation CHANGE_ADDRESS = new Operation("changeAddress", STRING, STRING, STRING, STRING,
            LONG);
    /** scheduleChange(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds, warningSeconds). */
    public static final Operation SCHEDULE_CHANGE = new Operation("scheduleChange", STRING, STRING, STRING, STRING,
            LONG, LONG);
    /** migrateSubscribers(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds). */
    public static final Operation MIGRATE_SUBSCRIBERS = new Operation("migrateSubscribers", STRING, STRING, STRING,
            STRING, LONG);
    /** scheduleMigration(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds, warningSeconds). */
    public static final Operation SCHEDULE_MIGRATION = new Operation("scheduleMigration", STRING, STRING, STRING,
            STRING, LONG, LONG);
    /** planChange(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds): what changeAddress would do. */
    public static final Operation PLAN_CHANGE = new Operation("planChange", STRING, STRING, STRING, STRING, LONG);
    /** planMigration(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds). */
    public static final Operation PLAN_MIGRATION = new Operation("planMigration", STRING, STRING, STRING, STRING,
            LONG);
    /** subscribe(subscriberId, group, scope): the Subscription MBean's ObjectName. */
    public static final Operation SUBSCRIBE = new Operation("subscribe", STRING, STRING, STRING);
    /** unsubscribe(subscriberId). */
    public static final Operation UNSUBSCRIBE = new Operation("unsubscribe", STRING);
    /** awaitChange(changeId, timeoutSeconds): the change's state then. */
    public static final Operation AWAIT_CHANGE = new Operation("awaitChange", STRING, LONG);
    /** cancelChange(changeId). */
    public static final Operation CANCEL_CHANGE = new Operation("cancelChange", STRING);
    /**
     * pendingEvents(subscriberId, afterSequence): the events sent to the subscriber numbered above afterSequence,
     * oldest first, as {@code CompositeData[]} with the items of {@link UserDataKeys.PendingEvent}.
     */
    public static final Operation PENDING_EVENTS = new Operation("pendingEvents", STRING, LONG);

    // renumber:type=Subscription,id=<subscriberId>
    /** ready(changeId): the subscriber is ready for a warned change. */
    public static final Operation READY = new Operation("ready", STRING);
    /** recordProcess(pid, pidNamespace): the pid as the agent sees it. */
    public static final Operation RECORD_PROCESS = new Operation("recordProcess", LONG, STRING);

    /** The operations of {@link MBeanNames#SERVICE} listed here. */
    public static final List<Operation> SERVICE = List.of(CHANGE_ADDRESS, SCHEDULE_CHANGE, MIGRATE_SUBSCRIBERS,
            SCHEDULE_MIGRATION, PLAN_CHANGE, PLAN_MIGRATION, SUBSCRIBE, UNSUBSCRIBE, AWAIT_CHANGE, CANCEL_CHANGE,
            PENDING_EVENTS);
    /** The operations of a {@link MBeanNames#subscription(String) Subscription} listed here. */
    public static final List<Operation> SUBSCRIPTION = List.of(READY, RECORD_PROCESS);

    private Operations() {
    }
}
