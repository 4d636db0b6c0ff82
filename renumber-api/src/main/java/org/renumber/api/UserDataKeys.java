package org.renumber.api;

import java.util.List;

/**
 * The item names of each notification's {@code CompositeData} user data, in the order the agent declares them.
 * A client reads an item by these names; the agent may add items, never rename one.
 */
public final class UserDataKeys {

    private UserDataKeys() {
    }

    /** The user data of every {@link NotificationTypes#CHANGE} notification. */
    public static final class ChangeEvent {
        public static final String CHANGE_ID = "changeId";
        public static final String INTERFACE_NAME = "interfaceName";
        public static final String OLD_ADDRESS = "oldAddress";
        public static final String NEW_ADDRESS = "newAddress";
        public static final String STATE = "state";
        public static final String REMAINING_CONNECTIONS = "remainingConnections";
        public static final String OUTCOME = "outcome";
        public static final String ERROR = "error";
        public static final String STARTED_AT = "startedAt";
        public static final String DEADLINE = "deadline";
        public static final String KIND = "kind";
        public static final String OLD_ADDRESS_KEPT = "oldAddressKept";
        public static final String WARNING_END = "warningEnd";
        /**
         * A {@code long}: the listening MBean's number of this event, one more than the last one it sent (a
         * Subscription's count the events of that subscriber). A listener that sees another number missed events
         * (or the agent restarted: each run starts higher): it reads them back with
         * {@link Operations#PENDING_EVENTS}.
         */
        public static final String SEQUENCE = "sequence";
        public static final List<String> ITEMS = List.of(CHANGE_ID, INTERFACE_NAME, OLD_ADDRESS, NEW_ADDRESS, STATE,
                REMAINING_CONNECTIONS, OUTCOME, ERROR, STARTED_AT, DEADLINE, KIND, OLD_ADDRESS_KEPT, WARNING_END,
                SEQUENCE);

        private ChangeEvent() {
        }
    }

    /**
     * One event returned by {@link Operations#PENDING_EVENTS}: every {@link ChangeEvent} item (its
     * {@link ChangeEvent#SEQUENCE} the subscriber's number) and what the notification carried besides.
     */
    public static final class PendingEvent {
        /** The notification's type, e.g. {@link NotificationTypes#CHANGE_STARTED}. */
        public static final String NOTIFICATION_TYPE = "notificationType";
        /** The notification's message. */
        public static final String MESSAGE = "message";

        private PendingEvent() {
        }
    }

    /** The user data of {@link NotificationTypes#INTERFACE_CHANGED} sent by {@code renumber:type=InterfaceMonitor}. */
    public static final class InterfaceChanged {
        public static final String INTERFACE_NAME = "interfaceName";
        public static final String OLD_ADDRESS = "oldAddress";
        public static final String NEW_ADDRESS = "newAddress";
        public static final String ALIAS_LABEL = "aliasLabel";
        public static final String CHANGE_ID = "changeId";
        public static final String ERROR = "error";
        public static final String DETECTED_AT = "detectedAt";
        public static final List<String> ITEMS = List.of(INTERFACE_NAME, OLD_ADDRESS, NEW_ADDRESS, ALIAS_LABEL,
                CHANGE_ID, ERROR, DETECTED_AT);

        private InterfaceChanged() {
        }
    }

    /** The user data of {@link NotificationTypes#ADDRESS_LOST}. */
    public static final class AddressLost {
        public static final String INTERFACE_NAME = "interfaceName";
        public static final String ADDRESS = "address";
        public static final String LABEL = "label";
        public static final String CONNECTIONS = "connections";
        public static final String REMOVED_AT = "removedAt";
        public static final List<String> ITEMS = List.of(INTERFACE_NAME, ADDRESS, LABEL, CONNECTIONS, REMOVED_AT);

        private AddressLost() {
        }
    }

    /** The user data of {@link NotificationTypes#MONITOR_FAILED}. */
    public static final class MonitorFailed {
        public static final String REASON = "reason";
        public static final String FAILED_AT = "failedAt";
        public static final String RETRY_IN_MILLIS = "retryInMillis";
        public static final List<String> ITEMS = List.of(REASON, FAILED_AT, RETRY_IN_MILLIS);

        private MonitorFailed() {
        }
    }

    /** The user data of {@link NotificationTypes#MONITOR_RECOVERED}. */
    public static final class MonitorRecovered {
        public static final String FAILED_AT = "failedAt";
        public static final String RECOVERED_AT = "recoveredAt";
        public static final String ATTEMPTS = "attempts";
        public static final List<String> ITEMS = List.of(FAILED_AT, RECOVERED_AT, ATTEMPTS);

        private MonitorRecovered() {
        }
    }

    /** The user data of {@link NotificationTypes#APPLICATION_RESTARTED} and {@link NotificationTypes#APPLICATION_FAILED}. */
    public static final class ApplicationEvent {
        public static final String APPLICATION = "application";
        public static final String GROUP = "group";
        public static final String CHANGE_ID = "changeId";
        public static final String INTERFACE_NAME = "interfaceName";
        public static final String OLD_ADDRESS = "oldAddress";
        public static final String NEW_ADDRESS = "newAddress";
        public static final String STOPPED_PIDS = "stoppedPids";
        public static final String KILLED_PIDS = "killedPids";
        public static final String NEW_PIDS = "newPids";
        public static final String MESSAGE = "message";
        public static final List<String> ITEMS = List.of(APPLICATION, GROUP, CHANGE_ID, INTERFACE_NAME, OLD_ADDRESS,
                NEW_ADDRESS, STOPPED_PIDS, KILLED_PIDS, NEW_PIDS, MESSAGE);

        private ApplicationEvent() {
        }
    }
}
