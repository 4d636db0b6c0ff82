package org.renumber.jmx;

import org.renumber.api.MBeanNames;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.List;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.InvalidAttributeValueException;
import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.RuntimeOperationsException;
import javax.management.remote.MBeanServerForwarder;

/**
 * What a logged-in JMX client may do; the same rules as the Jolokia access policy. Operations and writes:
 * {@code renumber} MBeans only. Attribute reads: {@code renumber} and {@code java.lang}. Browsing (names, MBean
 * info) and listening to notifications: anything. Creating and unregistering MBeans: never. Without this, the
 * agent's password would also open DiagnosticCommand and HotSpotDiagnostic, which load agents and dump the heap
 * of a process that runs as root.
 *
 * <p>The connector's notification buffer registers its own listener on every emitting MBean through this
 * forwarder (remote clients cannot pass a listener object, only the buffer can); on a {@code renumber} MBean it
 * gets the {@link RemoteListeners#audience} filter, so only notifications some remote client listens to are
 * buffered.
 */
final class RemoteAccessPolicy implements java.lang.reflect.InvocationHandler {

    private static final Set<String> READABLE = Set.of(MBeanNames.DOMAIN, "java.lang");
    private static final Set<String> OPERABLE = Set.of(MBeanNames.DOMAIN);

    private final RemoteListeners listeners;
    private volatile MBeanServer target;

    private RemoteAccessPolicy(RemoteListeners listeners) {
        this.listeners = listeners;
    }

    /** A forwarder for {@code JMXConnectorServer.setMBeanServerForwarder}. */
    static MBeanServerForwarder forwarder(RemoteListeners listeners) {
        return (MBeanServerForwarder) Proxy.newProxyInstance(MBeanServerForwarder.class.getClassLoader(),
                new Class<?>[] {MBeanServerForwarder.class}, new RemoteAccessPolicy(listeners));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "RemoteAccessPolicy[" + target + "]";
            };
        }
        switch (method.getName()) {
            case "getMBeanServer" -> {
                return target;
            }
            case "setMBeanServer" -> {
                target = (MBeanServer) args[0];
                return null;
            }
            case "getAttribute", "getAttributes" -> require(READABLE, (ObjectName) args[0], "read attributes of");
            case "setAttribute", "setAttributes" -> {
                require(OPERABLE, (ObjectName) args[0], "write attributes of");
                String refusal = refuseWrite((ObjectName) args[0], args[1]);
                if (refusal != null) {
                    // setAttributes declares no InvalidAttributeValueException; the standard runtime wrapper then.
                    throw method.getName().equals("setAttribute") ? new InvalidAttributeValueException(refusal)
                            : new RuntimeOperationsException(new IllegalArgumentException(refusal), refusal);
                }
            }
            case "invoke" -> {
                require(OPERABLE, (ObjectName) args[0], "invoke operations on");
                String refusal = new MBeanArguments(target).refuseExecJava((ObjectName) args[0], (String) args[1],
                        (Object[]) args[2], (String[]) args[3]);
                if (refusal != null) {
                    throw new MBeanException(new IllegalArgumentException(refusal), refusal);
                }
            }
            case "addNotificationListener" -> {
                if (args[1] instanceof NotificationListener && args[0] instanceof ObjectName name
                        && OPERABLE.contains(name.getDomain())) {
                    args[2] = listeners.audience(name, (NotificationFilter) args[2]);
                }
            }
            case "createMBean", "registerMBean", "unregisterMBean", "instantiate", "deserialize" ->
                    throw new SecurityException("the renumber agent does not allow " + method.getName() + " over JMX");
            default -> {
                // browsing and notifications
            }
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    // A value of the wrong kind is refused naming the attribute (ArgumentTypes), before the server's "argument type
    // mismatch"; a list with one bad value is refused whole, so nothing of it is half applied.
    private String refuseWrite(ObjectName name, Object attributes) {
        List<Attribute> list = attributes instanceof AttributeList many ? many.asList()
                : attributes instanceof Attribute one ? List.of(one) : List.of();
        MBeanArguments arguments = new MBeanArguments(target);
        for (Attribute attribute : list) {
            String refusal = arguments.refuseWriteJava(name, attribute.getName(), attribute.getValue());
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    private static void require(Set<String> domains, ObjectName name, String what) {
        if (name == null || !domains.contains(name.getDomain())) {
            throw new SecurityException("the renumber agent does not allow JMX clients to " + what + " " + name
                    + "; allowed domains: " + domains);
        }
    }
}
