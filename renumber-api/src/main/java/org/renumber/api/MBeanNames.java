package org.renumber.api;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/** The ObjectNames of the {@code renumber} MBeans; scripts depend on them, so they never change. */
public final class MBeanNames {

    public static final String DOMAIN = "renumber";
    public static final ObjectName SERVICE = name("type=AddressChangeService");
    public static final ObjectName CONNECTION_TRACKER = name("type=ConnectionTracker");
    public static final ObjectName APPLICATION_MONITOR = name("type=ApplicationMonitor");
    public static final ObjectName INTERFACE_MONITOR = name("type=InterfaceMonitor");
    /** The pattern matching every {@code renumber:type=AddressChange} MBean. */
    public static final ObjectName CHANGES = name("type=AddressChange,*");

    private MBeanNames() {
    }

    /** {@code renumber:type=AddressChange,id=<changeId>} */
    public static ObjectName change(String changeId) {
        return name("type=AddressChange,id=" + value(changeId));
    }

    /** {@code renumber:type=Subscription,id=<subscriberId>} */
    public static ObjectName subscription(String subscriberId) {
        return name("type=Subscription,id=" + value(subscriberId));
    }

    // Ids are validated to characters that are legal unquoted; quote anything else rather than fail.
    private static String value(String raw) {
        return raw.matches("[A-Za-z0-9._@-]+") ? raw : ObjectName.quote(raw);
    }

    private static ObjectName name(String properties) {
        try {
            return new ObjectName(DOMAIN + ":" + properties);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("invalid MBean name " + DOMAIN + ":" + properties, e);
        }
    }
}
