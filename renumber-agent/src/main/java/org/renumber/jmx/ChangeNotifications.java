package org.renumber.jmx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import org.renumber.api.NotificationTypes;
import org.renumber.api.UserDataKeys;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeProgress;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.EventType;

/**
 * How a {@link ChangeEvent} looks on the wire: its notification type from {@link NotificationTypes}, the event's
 * message, and a {@link CompositeData} user data item (keys from {@link UserDataKeys.ChangeEvent}) that any JMX
 * client can read without renumber classes.
 */
final class ChangeNotifications {

    static final String[] ITEMS = UserDataKeys.ChangeEvent.ITEMS.toArray(String[]::new);
    private static final String[] ITEM_DESCRIPTIONS = {
            "id of the change (key of its renumber:type=AddressChange MBean)",
            "interface being renumbered",
            "address being replaced, ADDRESS/PREFIX",
            "address replacing it, ADDRESS/PREFIX",
            "state of the change when the notification was sent",
            "live connections still using the old address at the last count",
            "how the change ended (DRAINED, TIMED_OUT, FAILED, CANCELLED), empty while it runs",
            "why the change failed or timed out, empty otherwise",
            "when the new address became usable (ISO-8601), empty before",
            "drain deadline (ISO-8601), empty before the change started",
            "REQUESTED (changeAddress, scheduleChange), DETECTED (renumbered by hand) or MIGRATION (migrateSubscribers)",
            "true when the old address stays configured at the end: a partial migration (other applications keep "
                    + "using it) or a detected change whose alias is left to the operator",
            "when a scheduled change starts at the latest (ISO-8601), empty for a change without a warning",
            "this listener's number of the event: one more than the last one it was sent, so a gap means missed "
                    + "events (read them with pendingEvents on renumber:type=AddressChangeService)"};
    private static final OpenType<?>[] ITEM_TYPES = {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
            SimpleType.STRING, SimpleType.STRING, SimpleType.INTEGER, SimpleType.STRING, SimpleType.STRING,
            SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.BOOLEAN, SimpleType.STRING,
            SimpleType.LONG};

    static final CompositeType TYPE = compositeType();
    /** The item of {@link #TYPE} that numbers a listener's events. */
    static final String SEQUENCE = UserDataKeys.ChangeEvent.SEQUENCE;
    /** The items a pending event adds to the user data: what the notification would have carried besides. */
    static final String NOTIFICATION_TYPE = UserDataKeys.PendingEvent.NOTIFICATION_TYPE;
    static final String MESSAGE = UserDataKeys.PendingEvent.MESSAGE;
    static final CompositeType PENDING_TYPE = pendingType();

    private ChangeNotifications() {
    }

    /** The notification type of a change event: the domain names the event, the wire contract its type. */
    static String type(EventType type) {
        return switch (type) {
            case WARNING -> NotificationTypes.CHANGE_WARNING;
            case STARTED -> NotificationTypes.CHANGE_STARTED;
            case DRAINED -> NotificationTypes.CHANGE_DRAINED;
            case TIMEOUT -> NotificationTypes.CHANGE_TIMEOUT;
            case COMPLETED -> NotificationTypes.CHANGE_COMPLETED;
            case FAILED -> NotificationTypes.CHANGE_FAILED;
            case CANCELLED -> NotificationTypes.CHANGE_CANCELLED;
            case INTERFACE_CHANGED -> NotificationTypes.INTERFACE_CHANGED;
            case ALIAS_REMOVABLE -> NotificationTypes.ALIAS_REMOVABLE;
        };
    }

    /** What an emitter of change events advertises in its MBeanInfo, so JConsole can subscribe. */
    static MBeanNotificationInfo[] info(String audience) {
        String[] types = NotificationTypes.CHANGE.toArray(String[]::new);
        return new MBeanNotificationInfo[] {new MBeanNotificationInfo(types, Notification.class.getName(),
                "Address change events " + audience + "; userData is a CompositeData with "
                        + String.join(", ", ITEMS))};
    }

    static CompositeData userData(ChangeEvent event) {
        ChangeRequest request = event.change().request();
        ChangeProgress progress = event.change().progress();
        Object[] values = {request.id(), request.interfaceName(), request.oldAddress().toString(),
                request.newAddress().toString(), progress.state().name(), progress.remainingConnections(),
                progress.outcome() == null ? "" : progress.outcome().name(), text(progress.error()),
                instant(progress.startedAt()), instant(progress.deadline()), request.kind().name(),
                !request.removeOldAddress(), request.warning() == null ? "" : instant(request.warning().warningEnd()),
                0L};
        try {
            return new CompositeDataSupport(TYPE, ITEMS, values);
        } catch (OpenDataException e) {
            throw new IllegalStateException("change event does not fit its composite type", e);
        }
    }

    /** {@code shared} user data (from {@link #userData}) numbered for one listener. */
    static CompositeData sequenced(CompositeData shared, long sequence) {
        return new SequencedUserData(shared, SEQUENCE, sequence);
    }

    /** An event read back with pendingEvents: its user data, numbered, with its notification type and message. */
    static CompositeData pending(ChangeEventLog.Sequenced sequenced) {
        ChangeEvent event = sequenced.event();
        CompositeData data = userData(event);
        List<String> items = new ArrayList<>(List.of(ITEMS));
        List<Object> values = new ArrayList<>(List.of(data.getAll(ITEMS)));
        values.set(items.indexOf(SEQUENCE), sequenced.sequence());
        items.addAll(List.of(NOTIFICATION_TYPE, MESSAGE));
        values.addAll(List.of(type(event.type()), message(event)));
        try {
            return new CompositeDataSupport(PENDING_TYPE, items.toArray(String[]::new), values.toArray());
        } catch (OpenDataException e) {
            throw new IllegalStateException("pending event does not fit its composite type", e);
        }
    }

    static String message(ChangeEvent event) {
        if (!event.message().isEmpty()) {
            return event.message();
        }
        Change change = event.change();
        return type(event.type()) + ": change " + change.id() + " on " + change.request().interfaceName() + " ("
                + change.request().oldAddress() + " -> " + change.request().newAddress() + ")";
    }

    static String instant(Instant instant) {
        return instant == null ? "" : instant.toString();
    }

    static String text(String value) {
        return value == null ? "" : value;
    }

    private static CompositeType pendingType() {
        List<String> items = new ArrayList<>(List.of(ITEMS));
        List<String> descriptions = new ArrayList<>(List.of(ITEM_DESCRIPTIONS));
        List<OpenType<?>> types = new ArrayList<>(List.of(ITEM_TYPES));
        items.addAll(List.of(NOTIFICATION_TYPE, MESSAGE));
        descriptions.addAll(List.of("the notification's type, e.g. renumber.change.started",
                "the notification's message"));
        types.addAll(List.of(SimpleType.STRING, SimpleType.STRING));
        try {
            return new CompositeType("renumber.PendingChangeEvent", "A change event read back by sequence number",
                    items.toArray(String[]::new), descriptions.toArray(String[]::new),
                    types.toArray(OpenType<?>[]::new));
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static CompositeType compositeType() {
        try {
            return new CompositeType("renumber.ChangeEvent", "An address change event", ITEMS, ITEM_DESCRIPTIONS,
                    ITEM_TYPES);
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
