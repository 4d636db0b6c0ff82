package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InvalidAttributeValueException;
import javax.management.ListenerNotFoundException;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.NotificationEmitter;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.ReflectionException;

/**
 * The MBeanServer handed to jmxutils' {@code MBeanExporter}. jmxutils registers a plain DynamicMBean and cannot
 * send notifications (an exported {@code NotificationBroadcasterSupport} still takes no listeners), so every
 * DynamicMBean registered through {@link #server()} is wrapped:
 * <ul>
 * <li>under a name prepared with {@link #emitterFor} it becomes a {@link NotificationEmitter} whose MBeanInfo
 *     lists the notification types, so JConsole offers to subscribe;</li>
 * <li>a failing operation or getter reaches remote clients as an {@link MBeanException} whose message is the
 *     operator-readable one and whose cause is a JDK exception type: jmxutils' own message names only the
 *     method, and a renumber exception class would not deserialize in a client.</li>
 * </ul>
 */
final class NotifyingMBeanServer {

    private final MBeanServer target;
    private final MBeanServer server;
    private final Executor dispatcher;
    private final Map<ObjectName, Emitter> emitters = new ConcurrentHashMap<>();

    /** {@code dispatcher} delivers notifications to listeners; a single thread keeps them in order. */
    NotifyingMBeanServer(MBeanServer target, Executor dispatcher) {
        this.target = requireNonNull(target, "target");
        this.dispatcher = requireNonNull(dispatcher, "dispatcher");
        this.server = (MBeanServer) Proxy.newProxyInstance(MBeanServer.class.getClassLoader(),
                new Class<?>[] {MBeanServer.class}, (proxy, method, args) -> intercept(method, args));
    }

    MBeanServer server() {
        return server;
    }

    /** Prepares notifications for {@code name}: the MBean registered under it next becomes their emitter. */
    Emitter emitterFor(ObjectName name, MBeanNotificationInfo[] info) {
        Emitter emitter = new Emitter(name, dispatcher, info);
        emitters.put(name, emitter);
        return emitter;
    }

    /** Forgets a prepared emitter whose MBean could not be registered. */
    void discard(ObjectName name) {
        emitters.remove(name);
    }

    private Object intercept(Method method, Object[] args) throws Throwable {
        Object[] actual = args;
        if (method.getName().equals("registerMBean") && args[0] instanceof DynamicMBean mbean) {
            Emitter emitter = emitters.get((ObjectName) args[1]);
            actual = new Object[] {emitter == null ? new Wrapped(mbean) : new Emitting(mbean, emitter), args[1]};
        }
        try {
            Object result = method.invoke(target, actual);
            if (method.getName().equals("unregisterMBean")) {
                emitters.remove((ObjectName) args[0]);
            }
            return result;
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Sends one MBean's notifications, numbered in order, with its ObjectName as the source. */
    static final class Emitter extends NotificationBroadcasterSupport {
        private final ObjectName source;
        private final AtomicLong sequence = new AtomicLong();
        /** The filter of each registered listener (null for none), to tell whether anyone would hear. */
        private final List<Registration> registrations = new CopyOnWriteArrayList<>();

        private Emitter(ObjectName source, Executor dispatcher, MBeanNotificationInfo[] info) {
            super(dispatcher, info);
            this.source = source;
        }

        void send(String type, String message, Object userData) {
            send(type, message, userData, sequence.incrementAndGet());
        }

        /** Sends with the caller's sequence number (a subscriber's, see {@link ChangeEventLog}). */
        void send(String type, String message, Object userData, long sequenceNumber) {
            // The ObjectName, never this object, is the source: a remote client cannot deserialize an emitter
            // and would silently receive nothing.
            Notification notification = new Notification(type, source, sequenceNumber, System.currentTimeMillis(),
                    message);
            notification.setUserData(userData);
            sendNotification(notification);
        }

        /**
         * Whether a notification sent now would reach a listener: an in-process one, or a remote client through
         * a connector (whose buffer listens everywhere, but with a {@link RemoteListeners.Audience} filter).
         */
        boolean heard() {
            for (Registration registration : registrations) {
                if (!(registration.filter() instanceof RemoteListeners.Audience audience) || audience.heard()) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void addNotificationListener(NotificationListener listener, NotificationFilter filter,
                                            Object handback) {
            super.addNotificationListener(listener, filter, handback);
            registrations.add(new Registration(listener, filter, handback));
        }

        @Override
        public void removeNotificationListener(NotificationListener listener) throws ListenerNotFoundException {
            super.removeNotificationListener(listener);
            registrations.removeIf(r -> r.listener() == listener);
        }

        @Override
        public void removeNotificationListener(NotificationListener listener, NotificationFilter filter,
                                               Object handback) throws ListenerNotFoundException {
            super.removeNotificationListener(listener, filter, handback);
            registrations.remove(new Registration(listener, filter, handback));
        }

        private record Registration(NotificationListener listener, NotificationFilter filter, Object handback) {
            // Identity, as NotificationBroadcasterSupport matches listeners.
            @Override
            public boolean equals(Object other) {
                return other instanceof Registration r && r.listener == listener && r.filter == filter
                        && r.handback == handback;
            }

            @Override
            public int hashCode() {
                return System.identityHashCode(listener);
            }
        }
    }

    private static class Wrapped implements DynamicMBean {
        final DynamicMBean delegate;

        Wrapped(DynamicMBean delegate) {
            this.delegate = delegate;
        }

        @Override
        public Object getAttribute(String attribute)
                throws AttributeNotFoundException, MBeanException, ReflectionException {
            try {
                return delegate.getAttribute(attribute);
            } catch (MBeanException e) {
                throw portable(e);
            }
        }

        @Override
        public void setAttribute(Attribute attribute)
                throws AttributeNotFoundException, InvalidAttributeValueException, MBeanException, ReflectionException {
            try {
                delegate.setAttribute(attribute);
            } catch (MBeanException e) {
                throw portable(e);
            }
        }

        @Override
        public AttributeList getAttributes(String[] attributes) {
            return delegate.getAttributes(attributes);
        }

        @Override
        public AttributeList setAttributes(AttributeList attributes) {
            return delegate.setAttributes(attributes);
        }

        @Override
        public Object invoke(String actionName, Object[] params, String[] signature)
                throws MBeanException, ReflectionException {
            try {
                return delegate.invoke(actionName, params, signature);
            } catch (MBeanException e) {
                throw portable(e);
            }
        }

        @Override
        public MBeanInfo getMBeanInfo() {
            return delegate.getMBeanInfo();
        }

        private static MBeanException portable(MBeanException e) {
            Exception cause = e.getTargetException();
            if (cause == null) {
                return e;
            }
            String message = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            RuntimeException jdkType;
            if (cause instanceof IllegalArgumentException) {
                jdkType = new IllegalArgumentException(message);
            } else if (cause instanceof IllegalStateException) {
                jdkType = new IllegalStateException(message);
            } else {
                jdkType = new RuntimeException(cause.getClass().getSimpleName() + ": " + message);
            }
            jdkType.setStackTrace(cause.getStackTrace());
            return new MBeanException(jdkType, message);
        }
    }

    private static final class Emitting extends Wrapped implements NotificationEmitter {
        private final Emitter emitter;
        private final MBeanInfo info;

        Emitting(DynamicMBean delegate, Emitter emitter) {
            super(delegate);
            this.emitter = emitter;
            MBeanInfo plain = delegate.getMBeanInfo();
            this.info = new MBeanInfo(plain.getClassName(), plain.getDescription(), plain.getAttributes(),
                    plain.getConstructors(), plain.getOperations(), emitter.getNotificationInfo(),
                    plain.getDescriptor());
        }

        @Override
        public MBeanInfo getMBeanInfo() {
            return info;
        }

        @Override
        public void addNotificationListener(NotificationListener listener, NotificationFilter filter, Object handback) {
            emitter.addNotificationListener(listener, filter, handback);
        }

        @Override
        public void removeNotificationListener(NotificationListener listener) throws ListenerNotFoundException {
            emitter.removeNotificationListener(listener);
        }

        @Override
        public void removeNotificationListener(NotificationListener listener, NotificationFilter filter,
                                               Object handback) throws ListenerNotFoundException {
            emitter.removeNotificationListener(listener, filter, handback);
        }

        @Override
        public MBeanNotificationInfo[] getNotificationInfo() {
            return emitter.getNotificationInfo();
        }
    }
}
