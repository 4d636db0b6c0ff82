package org.renumber.client;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import javax.management.Notification;
import javax.management.openmbean.CompositeData;
import org.renumber.api.NotificationTypes;
import org.renumber.api.UserDataKeys.ChangeEvent;

/**
 * One address change notification as an application sees it: immutable, built from the JMX notification's
 * {@code CompositeData} user data, so it needs nothing but the JDK.
 *
 * @param type                 what happened
 * @param notificationType     the wire name ({@code renumber.change.started}, ...), also for types this client
 *                             does not know yet ({@link Type#OTHER})
 * @param changeId             id of the change ({@code renumber:type=AddressChange,id=<changeId>})
 * @param interfaceName        interface being renumbered
 * @param oldAddress           address being replaced, {@code ADDRESS/PREFIX}
 * @param newAddress           address replacing it, {@code ADDRESS/PREFIX}
 * @param state                state of the change when the agent sent the event (DRAINING, COMPLETED, ...)
 * @param remainingConnections live connections on the old address at the agent's last count
 * @param outcome              DRAINED, TIMED_OUT, FAILED or CANCELLED once the change has ended, else empty
 * @param error                why the change failed or timed out, else empty
 * @param startedAt            when the new address became usable, null before
 * @param deadline             when the drain ends at the latest (the old address goes then), null before the
 *                             change started
 * @param message              the notification's human-readable message
 * @param details              every item of the user data, including any the agent adds later
 */
public record AddressChangeEvent(
        Type type,
        String notificationType,
        String changeId,
        String interfaceName,
        String oldAddress,
        String newAddress,
        String state,
        int remainingConnections,
        String outcome,
        String error,
        Instant startedAt,
        Instant deadline,
        String message,
        Map<String, Object> details) {

    /** The notification types of an address change, with their wire names from {@link NotificationTypes}. */
    public enum Type {
        /** The change is announced ahead; acknowledge by completing {@link AddressChangeHandler#warning}. */
        WARNING(NotificationTypes.CHANGE_WARNING),
        /** The new address is usable: move listeners, reconnect. */
        STARTED(NotificationTypes.CHANGE_STARTED),
        /** No connection uses the old address any more; it is about to be removed. */
        DRAINED(NotificationTypes.CHANGE_DRAINED),
        /** The drain timeout passed with connections open; the old address was removed anyway. */
        TIMEOUT(NotificationTypes.CHANGE_TIMEOUT),
        /** The old address is gone; the change is over. */
        COMPLETED(NotificationTypes.CHANGE_COMPLETED),
        /** A step failed; the agent rolled the change back (the new address is gone again). */
        FAILED(NotificationTypes.CHANGE_FAILED),
        /** An operator cancelled; the agent rolled the change back (the new address is gone again). */
        CANCELLED(NotificationTypes.CHANGE_CANCELLED),
        /** The agent saw an operator renumber by hand; a change with the old address kept as an alias follows. */
        INTERFACE_CHANGED(NotificationTypes.INTERFACE_CHANGED),
        /** A detected change drained (or timed out): the old address, now an alias, may be removed. */
        ALIAS_REMOVABLE(NotificationTypes.ALIAS_REMOVABLE),
        /** A type this version of the client does not know. */
        OTHER("");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        /** The notification type string, empty for {@link #OTHER}. */
        public String wireName() {
            return wireName;
        }

        public static Type of(String notificationType) {
            return Arrays.stream(values()).filter(t -> t != OTHER && t.wireName.equals(notificationType))
                    .findFirst().orElse(OTHER);
        }

        /** Whether a change ends with this event (no further event follows for it). */
        public boolean isFinal() {
            return NotificationTypes.FINAL.contains(wireName);
        }
    }

    // Only literals: a host name here would make InetAddress.getByName ask DNS.
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public AddressChangeEvent {
        requireNonNull(type, "type");
        requireNonNull(notificationType, "notificationType");
        requireNonNull(changeId, "changeId");
        interfaceName = text(interfaceName);
        oldAddress = text(oldAddress);
        newAddress = text(newAddress);
        state = text(state);
        outcome = text(outcome);
        error = text(error);
        message = text(message);
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /**
     * Reads a notification sent by a {@code renumber:type=Subscription} MBean.
     *
     * @throws IllegalArgumentException when its user data is not the agent's CompositeData
     */
    public static AddressChangeEvent from(Notification notification) {
        if (!(notification.getUserData() instanceof CompositeData data)) {
            throw new IllegalArgumentException("notification " + notification.getType()
                    + " carries no CompositeData user data: " + notification.getUserData());
        }
        Map<String, Object> details = new LinkedHashMap<>();
        for (String key : data.getCompositeType().keySet()) {
            Object value = data.get(key);
            if (value != null) {
                details.put(key, value);
            }
        }
        Object remaining = details.get(ChangeEvent.REMAINING_CONNECTIONS);
        return new AddressChangeEvent(Type.of(notification.getType()), notification.getType(),
                text(details.get(ChangeEvent.CHANGE_ID)), text(details.get(ChangeEvent.INTERFACE_NAME)),
                text(details.get(ChangeEvent.OLD_ADDRESS)), text(details.get(ChangeEvent.NEW_ADDRESS)), text(details.get(ChangeEvent.STATE)),
                remaining instanceof Number n ? n.intValue() : 0, text(details.get(ChangeEvent.OUTCOME)),
                text(details.get(ChangeEvent.ERROR)), instant(details.get(ChangeEvent.STARTED_AT)),
                instant(details.get(ChangeEvent.DEADLINE)), notification.getMessage(), details);
    }

    /**
     * The subscriber's number of this event ({@code sequence} in the user data): one more than the event before
     * it, so a gap shows missed events. -1 when the agent numbers none (an older agent) or the event was made up
     * from a running change.
     */
    public long sequence() {
        return details.get(ChangeEvent.SEQUENCE) instanceof Number n ? n.longValue() : -1;
    }

    /** The old address without its prefix. */
    public InetAddress oldInetAddress() {
        return address(oldAddress);
    }

    /** The new address without its prefix. */
    public InetAddress newInetAddress() {
        return address(newAddress);
    }

    /** A copy with another type, e.g. for a handler that replays an event. */
    public AddressChangeEvent withType(Type newType) {
        return new AddressChangeEvent(newType, newType.wireName(), changeId, interfaceName, oldAddress, newAddress,
                state, remainingConnections, outcome, error, startedAt, deadline, message, details);
    }

    /** Parses the address part of {@code ADDRESS/PREFIX} (or a bare literal) without any name lookup. */
    static InetAddress address(String addressWithPrefix) {
        int slash = addressWithPrefix.indexOf('/');
        String literal = slash < 0 ? addressWithPrefix : addressWithPrefix.substring(0, slash);
        if (!LITERAL.matcher(literal).matches()) {
            throw new IllegalArgumentException("'" + addressWithPrefix + "' is not an IP address literal");
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + addressWithPrefix + "' is not an IP address literal", e);
        }
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private static Instant instant(Object value) {
        String text = text(value);
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
