package org.renumber.client;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.ThreadFactory;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.management.remote.JMXConnector;
import org.renumber.api.Operation;

/**
 * How the client calls the agent: an operation's refusal comes back as the JDK exception the agent threw, with
 * its message, and an operation or attribute an older agent lacks is asked about instead of failing.
 */
final class AgentCalls {

    private static final System.Logger log = System.getLogger(AddressChangeClient.class.getName());

    private AgentCalls() {
    }

    /** Invokes an operation; the agent's refusal comes back as the JDK exception it threw, with its message. */
    static Object invoke(MBeanServerConnection c, ObjectName target, Operation operation, Object... args)
            throws IOException {
        try {
            return c.invoke(target, operation.name(), args, operation.signature());
        } catch (MBeanException e) {
            throw agentRefusal(e.getTargetException() != null ? e.getTargetException() : e, target, operation.name());
        } catch (RuntimeMBeanException e) {
            throw agentRefusal(e.getTargetException(), target, operation.name());
        } catch (JMException e) {
            throw new IllegalStateException("the agent cannot " + operation.name() + " on " + target + ": " + e, e);
        }
    }

    static Object attribute(MBeanServerConnection c, ObjectName target, String attribute) throws IOException {
        try {
            return c.getAttribute(target, attribute);
        } catch (JMException | RuntimeMBeanException e) {
            throw new IllegalStateException("cannot read " + attribute + " of " + target + ": " + e, e);
        }
    }

    /** The attribute's value, or null when the MBean (an older agent's) cannot give it. */
    static Object optionalAttribute(MBeanServerConnection c, ObjectName target, String attribute)
            throws IOException {
        try {
            return c.getAttribute(target, attribute);
        } catch (JMException | RuntimeMBeanException e) {
            log.log(Level.DEBUG, "{0} has no readable {1}: {2}", target, attribute, e.toString());
            return null;
        }
    }

    static boolean hasOperation(MBeanServerConnection c, ObjectName target, Operation operation)
            throws IOException {
        try {
            for (MBeanOperationInfo info : c.getMBeanInfo(target).getOperations()) {
                String[] types = Arrays.stream(info.getSignature()).map(MBeanParameterInfo::getType)
                        .toArray(String[]::new);
                if (info.getName().equals(operation.name()) && Arrays.equals(types, operation.signature())) {
                    return true;
                }
            }
            return false;
        } catch (JMException e) {
            return false;
        }
    }

    static void closeQuietly(JMXConnector connector) {
        try {
            connector.close();
        } catch (IOException | RuntimeException e) {
            log.log(Level.DEBUG, "closing a JMX connector: {0}", e.toString());
        }
    }

    static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    private static RuntimeException agentRefusal(Throwable cause, ObjectName target, String operation) {
        String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        if (cause instanceof IllegalArgumentException) {
            return new IllegalArgumentException(message, cause);
        }
        return new IllegalStateException(operation + " on " + target + " failed: " + message, cause);
    }
}
