package org.renumber.jmx;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
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
import org.renumber.application.ApplicationEvent;

/** How an {@link ApplicationEvent} looks on the wire: its type, its message, and a CompositeData any client reads. */
final class ApplicationNotifications {

    static final String[] ITEMS = UserDataKeys.ApplicationEvent.ITEMS.toArray(String[]::new);
    private static final String[] ITEM_DESCRIPTIONS = {
            "name of the declared application",
            "its group, empty for none",
            "the change it reacted to",
            "interface of the change",
            "address its processes held, ADDRESS/PREFIX",
            "address they are to use now, ADDRESS/PREFIX",
            "processes that held the old address and got SIGTERM, comma-separated pids",
            "those still running after the grace period, which got SIGKILL, comma-separated pids",
            "new processes found after the restart, comma-separated pids (empty when it failed)",
            "what happened"};
    private static final OpenType<?>[] ITEM_TYPES = new OpenType<?>[ITEMS.length];

    static {
        Arrays.fill(ITEM_TYPES, SimpleType.STRING);
    }

    static final CompositeType TYPE = compositeType();

    private ApplicationNotifications() {
    }

    /** The notification type of what the monitor did. */
    static String type(ApplicationEvent.Type type) {
        return switch (type) {
            case RESTARTED -> NotificationTypes.APPLICATION_RESTARTED;
            case FAILED -> NotificationTypes.APPLICATION_FAILED;
        };
    }

    static MBeanNotificationInfo[] info() {
        String[] types = Arrays.stream(ApplicationEvent.Type.values()).map(ApplicationNotifications::type)
                .toArray(String[]::new);
        return new MBeanNotificationInfo[] {new MBeanNotificationInfo(types, Notification.class.getName(),
                "A legacy application was restarted for a change, or could not be; userData is a CompositeData with "
                        + String.join(", ", ITEMS))};
    }

    static CompositeData userData(ApplicationEvent event) {
        Object[] values = {event.application(), event.group(), event.changeId(), event.interfaceName(),
                event.oldAddress(), event.newAddress(), pids(event.stopped()), pids(event.killed()),
                pids(event.started()), event.message()};
        try {
            return new CompositeDataSupport(TYPE, ITEMS, values);
        } catch (OpenDataException e) {
            throw new IllegalStateException("application event does not fit its composite type", e);
        }
    }

    static String message(ApplicationEvent event) {
        return type(event.type()) + ": " + event.application() + " for change " + event.changeId() + ": "
                + event.message();
    }

    private static String pids(List<Long> pids) {
        return pids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static CompositeType compositeType() {
        try {
            return new CompositeType("renumber.ApplicationEvent", "What the application monitor did", ITEMS,
                    ITEM_DESCRIPTIONS, ITEM_TYPES);
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
