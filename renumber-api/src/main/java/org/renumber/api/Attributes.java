package org.renumber.api;

import java.util.List;

/** The attributes of the agent's MBeans that clients read by name. */
public final class Attributes {

    private Attributes() {
    }

    /** Of a {@code renumber:type=Subscription,id=<subscriberId>} MBean. */
    public static final class Subscription {
        public static final String GROUP = "Group";
        public static final String SCOPE = "Scope";
        /** Writable, a {@code long}: the subscriber's process id. */
        public static final String PID = "Pid";
        /**
         * A {@code long}: the {@link UserDataKeys.ChangeEvent#SEQUENCE} of the last event sent to the subscriber.
         * Read it before listening, then ask {@link Operations#PENDING_EVENTS} for what came after.
         */
        public static final String SEQUENCE = "Sequence";
        public static final List<String> ALL = List.of(GROUP, SCOPE, PID, SEQUENCE);

        private Subscription() {
        }
    }

    /** Of a {@code renumber:type=AddressChange,id=<changeId>} MBean. */
    public static final class Change {
        public static final String ID = "Id";
        /** The change's state: WARNING, DRAINING, COMPLETED, ... */
        public static final String STATE = "State";
        /** The {@link #STATE} of a change whose targets are warned and nothing has changed yet. */
        public static final String STATE_WARNING = "WARNING";
        /** The {@link #STATE} of a change whose new address is usable, waiting for the old one's connections. */
        public static final String STATE_DRAINING = "DRAINING";
        public static final String SUBSCRIBERS = "Subscribers";
        public static final String INTERFACE_NAME = "InterfaceName";
        public static final String OLD_ADDRESS = "OldAddress";
        public static final String NEW_ADDRESS = "NewAddress";
        public static final String REMAINING_CONNECTIONS = "RemainingConnections";
        public static final String STARTED_AT = "StartedAt";
        public static final String DEADLINE = "Deadline";
        public static final List<String> ALL = List.of(ID, STATE, SUBSCRIBERS, INTERFACE_NAME, OLD_ADDRESS,
                NEW_ADDRESS, REMAINING_CONNECTIONS, STARTED_AT, DEADLINE);

        private Change() {
        }
    }
}
