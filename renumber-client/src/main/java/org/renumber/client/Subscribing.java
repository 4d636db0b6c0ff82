package org.renumber.client;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;
import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import org.renumber.api.Attributes;
import org.renumber.api.MBeanNames;
import org.renumber.api.Operations;

/**
 * Makes sure the agent has a subscription as the application asked for it: created, or reused when one with the
 * same group and scope exists (the agent keeps subscriptions across its restarts), refused when the id is taken
 * with another group or scope. Records the application's process id on it where the agent offers that.
 */
final class Subscribing {

    private static final Pattern ADDRESS_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final System.Logger log = System.getLogger(AddressChangeClient.class.getName());
    private static final long PID = ProcessHandle.current().pid();

    private Subscribing() {
    }

    static void ensureSubscribed(MBeanServerConnection c, String subscriberId, String group, String scope)
            throws IOException {
        ObjectName name = MBeanNames.subscription(subscriberId);
        if (c.isRegistered(name)) {
            requireSameSubscription(c, subscriberId, group, scope);
            return;
        }
        try {
            AgentCalls.invoke(c, MBeanNames.SERVICE, Operations.SUBSCRIBE, subscriberId, group, scope);
        } catch (IllegalArgumentException e) {
            // Someone subscribed the same id between our check and our call: reuse it if it is the same.
            if (!c.isRegistered(name)) {
                throw e;
            }
            requireSameSubscription(c, subscriberId, group, scope);
        }
    }

    /** Whether two scopes name the same thing: equal text, or the same IP address written differently. */
    static boolean sameScope(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        if (ADDRESS_LITERAL.matcher(a).matches() && ADDRESS_LITERAL.matcher(b).matches()) {
            try {
                InetAddress x = AddressChangeEvent.address(a);
                return x.equals(AddressChangeEvent.address(b));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    /** Records this process's id on the Subscription MBean, translated when the agent offers recordProcess. */
    static void recordPid(MBeanServerConnection c, ObjectName subscription) throws IOException {
        try {
            MBeanInfo info = c.getMBeanInfo(subscription);
            boolean translating = Arrays.stream(info.getOperations())
                    .anyMatch(o -> o.getName().equals(Operations.RECORD_PROCESS.name())
                            && o.getSignature().length == Operations.RECORD_PROCESS.parameterTypes().size());
            boolean writable = Arrays.stream(info.getAttributes())
                    .anyMatch(a -> a.getName().equals(Attributes.Subscription.PID) && a.isWritable() && isLong(a));
            if (translating) {
                // In a container the agent knows this process by another id; it translates ours.
                Object agentPid = c.invoke(subscription, Operations.RECORD_PROCESS.name(),
                        new Object[] {PID, pidNamespace()}, Operations.RECORD_PROCESS.signature());
                log.log(Level.DEBUG, "recorded pid {0} on {1}; the agent sees this process as {2}", PID,
                        subscription, agentPid);
            } else if (writable) {
                c.setAttribute(subscription, new Attribute(Attributes.Subscription.PID, PID));
            } else {
                log.log(Level.DEBUG, "{0} has no writable Pid attribute; process id not recorded", subscription);
            }
        } catch (JMException | RuntimeMBeanException e) {
            // The pid is a help for the agent, not a condition of the subscription.
            log.log(Level.WARNING, "could not record pid {0} on {1}: {2}", PID, subscription, e.toString());
        }
    }

    private static void requireSameSubscription(MBeanServerConnection c, String subscriberId, String group,
                                                String scope) throws IOException {
        ObjectName name = MBeanNames.subscription(subscriberId);
        String existingGroup = String.valueOf(AgentCalls.attribute(c, name, Attributes.Subscription.GROUP));
        String existingScope = String.valueOf(AgentCalls.attribute(c, name, Attributes.Subscription.SCOPE));
        if (!existingGroup.equals(group) || !sameScope(existingScope, scope)) {
            throw new IllegalStateException("subscriber id '" + subscriberId + "' is already subscribed with group '"
                    + existingGroup + "' and scope '" + existingScope + "', not group '" + group + "' and scope '"
                    + scope + "': unsubscribe it first or pick another id");
        }
    }

    /** This process's PID namespace as {@code /proc/self/ns/pid} names it; empty where there is none to read. */
    private static String pidNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }

    private static boolean isLong(MBeanAttributeInfo attribute) {
        return attribute.getType().equals("long") || attribute.getType().equals(Long.class.getName());
    }
}
