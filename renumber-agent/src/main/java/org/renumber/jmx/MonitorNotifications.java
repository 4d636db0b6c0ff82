package org.renumber.jmx;

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
import org.renumber.monitor.AddressLoss;
import org.renumber.monitor.DetectedChange;
import org.renumber.monitor.InterfaceMonitor;
import org.renumber.monitor.MonitorFailure;
import org.renumber.monitor.MonitorRecovery;
import org.renumber.monitor.Renumbering;

/**
 * The notifications of {@code renumber:type=InterfaceMonitor}: {@code renumber.interface.changed} when a
 * renumbering done by hand is recognised, {@code renumber.address.lost} when an address was removed under
 * live connections and not put back, and {@code renumber.monitor.failed} / {@code renumber.monitor.recovered}
 * when the kernel's address events stop and arrive again. Their user data are {@link CompositeData} any JMX
 * client can read.
 */
final class MonitorNotifications {

    static final String INTERFACE_CHANGED = NotificationTypes.INTERFACE_CHANGED;
    static final String ADDRESS_LOST = NotificationTypes.ADDRESS_LOST;
    static final String MONITOR_FAILED = NotificationTypes.MONITOR_FAILED;
    static final String MONITOR_RECOVERED = NotificationTypes.MONITOR_RECOVERED;

    static final String[] CHANGED_ITEMS = UserDataKeys.InterfaceChanged.ITEMS.toArray(String[]::new);
    private static final String[] CHANGED_DESCRIPTIONS = {
            "interface renumbered by hand",
            "old address, ADDRESS/PREFIX, as configured again (the alias)",
            "new address, ADDRESS/PREFIX",
            "label the old address carries now (e.g. eth0:0); the interface name if it has none",
            "id of the detected change that follows the alias (renumber:type=AddressChange,id=<id>); empty if none",
            "why no change follows the detection (e.g. another change runs on the interface); empty otherwise",
            "when the kernel event that completed the pattern arrived (ISO-8601)"};
    static final String[] LOST_ITEMS = UserDataKeys.AddressLost.ITEMS.toArray(String[]::new);
    private static final String[] LOST_DESCRIPTIONS = {
            "interface the address was removed from",
            "removed address, ADDRESS/PREFIX",
            "label it had (e.g. eth0:0); the interface name if it had none",
            "live connections on the address right after its removal: they are broken now",
            "when the removal arrived (ISO-8601)"};

    static final String[] FAILED_ITEMS = UserDataKeys.MonitorFailed.ITEMS.toArray(String[]::new);
    private static final String[] FAILED_DESCRIPTIONS = {
            "what stopped the address events, as the kernel or the reader said",
            "when the monitor learned of it (ISO-8601)",
            "when it first tries to reopen them, in milliseconds; each further attempt waits twice as long, up to "
                    + "10 s"};
    static final String[] RECOVERED_ITEMS = UserDataKeys.MonitorRecovered.ITEMS.toArray(String[]::new);
    private static final String[] RECOVERED_DESCRIPTIONS = {
            "when the address events had stopped (ISO-8601)",
            "when a reopen succeeded (ISO-8601); the monitor catches up from a fresh dump",
            "reopens it took, the successful one included"};

    static final CompositeType CHANGED_TYPE = type("renumber.InterfaceChanged",
            "A renumbering done by hand: old primary removed, new address added, old re-added as an alias",
            CHANGED_ITEMS, CHANGED_DESCRIPTIONS, new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING,
                    SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING});
    static final CompositeType LOST_TYPE = type("renumber.AddressLost",
            "An address removed by hand under live connections and not configured again within the window",
            LOST_ITEMS, LOST_DESCRIPTIONS, new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
                    SimpleType.INTEGER, SimpleType.STRING});
    static final CompositeType FAILED_TYPE = type("renumber.MonitorFailed",
            "The interface monitor stopped receiving the kernel's address events and reopens them by itself",
            FAILED_ITEMS, FAILED_DESCRIPTIONS, new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING,
                    SimpleType.LONG});
    static final CompositeType RECOVERED_TYPE = type("renumber.MonitorRecovered",
            "The interface monitor receives the kernel's address events again", RECOVERED_ITEMS,
            RECOVERED_DESCRIPTIONS, new OpenType<?>[] {SimpleType.STRING, SimpleType.STRING, SimpleType.INTEGER});

    private MonitorNotifications() {
    }

    static MBeanNotificationInfo[] info() {
        return new MBeanNotificationInfo[] {
                new MBeanNotificationInfo(new String[] {INTERFACE_CHANGED}, Notification.class.getName(),
                        "An operator renumbered an interface by hand (old primary removed, new address added, old "
                                + "re-added as an alias); userData is a CompositeData with "
                                + String.join(", ", CHANGED_ITEMS)),
                new MBeanNotificationInfo(new String[] {ADDRESS_LOST}, Notification.class.getName(),
                        "An address was removed by hand while connections used it and was not configured again "
                                + "within the window; userData is a CompositeData with " + String.join(", ", LOST_ITEMS)),
                new MBeanNotificationInfo(new String[] {MONITOR_FAILED}, Notification.class.getName(),
                        "The monitor stopped receiving the kernel's address events (renumberings by hand go unseen "
                                + "until it recovers); it reopens them by itself; userData is a CompositeData with "
                                + String.join(", ", FAILED_ITEMS)),
                new MBeanNotificationInfo(new String[] {MONITOR_RECOVERED}, Notification.class.getName(),
                        "The monitor receives the kernel's address events again and catches up from a fresh dump; "
                                + "userData is a CompositeData with " + String.join(", ", RECOVERED_ITEMS))};
    }

    static CompositeData userData(DetectedChange detected) {
        Renumbering r = detected.renumbering();
        return data(CHANGED_TYPE, CHANGED_ITEMS, new Object[] {r.interfaceName(), r.oldAddress().address().toString(),
                r.newAddress().address().toString(), r.oldAddress().label(), ChangeNotifications.text(detected.changeId()),
                ChangeNotifications.text(detected.error()), r.completedAt().toString()});
    }

    static String message(DetectedChange detected) {
        Renumbering r = detected.renumbering();
        String what = "renumbered by hand on " + r.interfaceName() + ": " + r.oldAddress().address() + " -> "
                + r.newAddress().address() + ", old address kept as " + r.oldAddress().describe();
        return detected.changeId() != null ? what + "; change " + detected.changeId() + " follows it"
                : what + "; no change follows it: " + detected.error();
    }

    static CompositeData userData(AddressLoss loss) {
        return data(LOST_TYPE, LOST_ITEMS, new Object[] {loss.interfaceName(), loss.address().address().toString(),
                loss.address().label(), loss.connections(), loss.removedAt().toString()});
    }

    static String message(AddressLoss loss) {
        return loss.address().address() + " was removed from " + loss.interfaceName() + " and not configured again: "
                + loss.connections() + " connection(s) using it broke";
    }

    static CompositeData userData(MonitorFailure failure) {
        return data(FAILED_TYPE, FAILED_ITEMS, new Object[] {failure.reason(), failure.failedAt().toString(),
                failure.retryIn().toMillis()});
    }

    static String message(MonitorFailure failure) {
        return "the interface monitor stopped receiving address events: " + failure.reason() + "; it reopens them in "
                + failure.retryIn().toMillis() + " ms";
    }

    static CompositeData userData(MonitorRecovery recovery) {
        return data(RECOVERED_TYPE, RECOVERED_ITEMS, new Object[] {recovery.failedAt().toString(),
                recovery.recoveredAt().toString(), recovery.attempts()});
    }

    static String message(MonitorRecovery recovery) {
        return "the interface monitor receives address events again after " + recovery.attempts()
                + " attempt(s) and catches up from a fresh dump";
    }

    private static CompositeData data(CompositeType type, String[] items, Object[] values) {
        try {
            return new CompositeDataSupport(type, items, values);
        } catch (OpenDataException e) {
            throw new IllegalStateException("monitor event does not fit its composite type " + type.getTypeName(), e);
        }
    }

    private static CompositeType type(String name, String description, String[] items, String[] descriptions,
                                      OpenType<?>[] types) {
        try {
            return new CompositeType(name, description, items, descriptions, types);
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
