package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.rmi.server.Unreferenced;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.Notification;
import javax.management.NotificationFilter;
import javax.management.ObjectName;
import javax.management.remote.rmi.RMIConnection;

/**
 * Which MBeans the remote clients of one RMI connector listen to. The connector keeps one notification buffer for
 * all its clients and puts into it every notification of every emitting MBean, listened to or not (the JDK's
 * ArrayNotificationBuffer listens to all of them); a client that falls more than the buffer's size behind loses
 * notifications. With 10,000 Subscription MBeans and 1,000 listening clients, nine in ten entries would be for
 * nobody. So the connector's own listener on each MBean gets an {@link #audience} filter that lets a
 * notification into the buffer only while some remote client listens to its MBean.
 *
 * <p>The JDK records a remote listener inside the connection ({@code RMIConnection.addNotificationListeners}),
 * never on the MBean, so each connection is wrapped ({@link #track}) to see the adds, removes and the close.
 * A listener is counted before its add reaches the connector, so no notification sent meanwhile is held back.
 */
final class RemoteListeners {

    /** Per connection id: listener id to the MBean it listens to. */
    private final Map<String, Map<Integer, ObjectName>> byConnection = new ConcurrentHashMap<>();
    private final Map<ObjectName, Integer> listened = new ConcurrentHashMap<>();

    /** Whether some remote client listens to {@code name} now. */
    boolean heard(ObjectName name) {
        return listened.getOrDefault(name, 0) > 0;
    }

    /** The filter for the connector buffer's listener on {@code source}: {@code original} and someone listening. */
    NotificationFilter audience(ObjectName source, NotificationFilter original) {
        return new Audience(this, requireNonNull(source, "source"), original);
    }

    /** {@code connection} as the client sees it, with its listeners counted here. */
    RMIConnection track(String connectionId, RMIConnection connection) {
        byConnection.putIfAbsent(connectionId, new ConcurrentHashMap<>());
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "addNotificationListeners" -> added(connectionId, (ObjectName[]) args[0], method, connection, args);
            case "removeNotificationListeners" -> {
                Object result = call(method, connection, args);
                removed(connectionId, (Integer[]) args[1]);
                yield result;
            }
            case "close" -> {
                closed(connectionId);
                yield call(method, connection, args);
            }
            case "unreferenced" -> {
                closed(connectionId);
                ((Unreferenced) connection).unreferenced();
                yield null;
            }
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "tracked " + connection;
            default -> call(method, connection, args);
        };
        Class<?>[] interfaces = connection instanceof Unreferenced
                ? new Class<?>[] {RMIConnection.class, Unreferenced.class} : new Class<?>[] {RMIConnection.class};
        return (RMIConnection) Proxy.newProxyInstance(RMIConnection.class.getClassLoader(), interfaces, handler);
    }

    /** Forgets every listener of a connection that is gone. */
    void closed(String connectionId) {
        Map<Integer, ObjectName> listeners = byConnection.remove(connectionId);
        if (listeners != null) {
            listeners.values().forEach(this::decrement);
        }
    }

    private Object added(String connectionId, ObjectName[] names, Method method, RMIConnection connection,
                         Object[] args) throws Throwable {
        for (ObjectName name : names) {
            listened.merge(name, 1, Integer::sum);
        }
        Integer[] ids;
        try {
            ids = (Integer[]) call(method, connection, args);
        } catch (Throwable e) {
            for (ObjectName name : names) {
                decrement(name);
            }
            throw e;
        }
        Map<Integer, ObjectName> listeners = byConnection.get(connectionId);
        for (int i = 0; i < names.length; i++) {
            if (listeners == null) {
                decrement(names[i]); // closed meanwhile
            } else {
                listeners.put(ids[i], names[i]);
            }
        }
        return ids;
    }

    private void removed(String connectionId, Integer[] ids) {
        Map<Integer, ObjectName> listeners = byConnection.get(connectionId);
        if (listeners == null) {
            return;
        }
        for (Integer id : ids) {
            ObjectName name = listeners.remove(id);
            if (name != null) {
                decrement(name);
            }
        }
    }

    private void decrement(ObjectName name) {
        listened.computeIfPresent(name, (n, count) -> count <= 1 ? null : count - 1);
    }

    private static Object call(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Lets a notification of {@code source} into the connector's buffer only while a remote client listens. */
    record Audience(RemoteListeners listeners, ObjectName source, NotificationFilter original)
            implements NotificationFilter {

        /** Whether a notification now would reach anyone (before {@link #original} has its say). */
        boolean heard() {
            return listeners.heard(source);
        }

        @Override
        public boolean isNotificationEnabled(Notification notification) {
            return heard() && (original == null || original.isNotificationEnabled(notification));
        }
    }
}
