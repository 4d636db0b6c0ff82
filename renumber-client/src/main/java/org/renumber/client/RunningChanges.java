package org.renumber.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.AttributeList;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.ObjectName;
import javax.management.Query;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import org.renumber.api.Attributes;
import org.renumber.api.MBeanNames;
import org.renumber.api.UserDataKeys.ChangeEvent;

/**
 * The changes running for a subscriber now (warned, or draining), read from their MBeans: what a client that
 * (re)connects delivers as if the notification had just arrived. It is all an agent that numbers no events
 * offers, and for any agent it covers a change that started before this client's first subscribe.
 */
final class RunningChanges {

    private RunningChanges() {
    }

    /** The WARNING or STARTED event of each change running for {@code subscriberId}. */
    static List<AddressChangeEvent> of(MBeanServerConnection c, String subscriberId, ObjectName source)
            throws IOException, JMException {
        Set<ObjectName> running = c.queryNames(MBeanNames.CHANGES, Query.or(
                Query.eq(Query.attr(Attributes.Change.STATE), Query.value(Attributes.Change.STATE_DRAINING)),
                Query.eq(Query.attr(Attributes.Change.STATE), Query.value(Attributes.Change.STATE_WARNING))));
        List<AddressChangeEvent> events = new ArrayList<>();
        for (ObjectName change : running) {
            Map<String, Object> values = new LinkedHashMap<>();
            AttributeList list = c.getAttributes(change, Attributes.Change.ALL.toArray(String[]::new));
            list.asList().forEach(a -> values.put(a.getName(), a.getValue()));
            Object subscribers = values.get(Attributes.Change.SUBSCRIBERS);
            if (!(subscribers instanceof String[] ids) || !List.of(ids).contains(subscriberId)) {
                continue;
            }
            boolean warning = Attributes.Change.STATE_WARNING.equals(values.get(Attributes.Change.STATE));
            AddressChangeEvent.Type type = warning ? AddressChangeEvent.Type.WARNING : AddressChangeEvent.Type.STARTED;
            events.add(AddressChangeEvent.from(notification(type, values, source)));
        }
        return events;
    }

    private static Notification notification(AddressChangeEvent.Type type, Map<String, Object> values,
                                             ObjectName source) throws OpenDataException {
        String[] items = {ChangeEvent.CHANGE_ID, ChangeEvent.INTERFACE_NAME, ChangeEvent.OLD_ADDRESS,
                ChangeEvent.NEW_ADDRESS, ChangeEvent.STATE, ChangeEvent.REMAINING_CONNECTIONS, ChangeEvent.STARTED_AT,
                ChangeEvent.DEADLINE};
        OpenType<?>[] types = {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
                SimpleType.STRING, SimpleType.INTEGER, SimpleType.STRING, SimpleType.STRING};
        CompositeType compositeType = new CompositeType("renumber.CaughtUpChange", "a running change read back",
                items, items, types);
        Object remaining = values.get(Attributes.Change.REMAINING_CONNECTIONS);
        CompositeData data = new CompositeDataSupport(compositeType, items, new Object[] {
                values.get(Attributes.Change.ID), values.get(Attributes.Change.INTERFACE_NAME),
                values.get(Attributes.Change.OLD_ADDRESS), values.get(Attributes.Change.NEW_ADDRESS),
                values.get(Attributes.Change.STATE), remaining instanceof Integer i ? i : 0,
                values.get(Attributes.Change.STARTED_AT), values.get(Attributes.Change.DEADLINE)});
        Notification notification = new Notification(type.wireName(), source, 0, type.wireName()
                + ": change " + values.get(Attributes.Change.ID) + " was already running when this client (re)connected");
        notification.setUserData(data);
        return notification;
    }
}
