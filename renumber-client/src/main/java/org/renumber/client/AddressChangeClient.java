package org.renumber.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.Notification;
import javax.management.NotificationFilterSupport;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.Query;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import javax.management.remote.JMXConnectionNotification;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.renumber.api.Attributes;
import org.renumber.api.MBeanNames;
import org.renumber.api.Operation;
import org.renumber.api.Operations;
import org.renumber.api.UserDataKeys.ChangeEvent;

/**
 * Connects a Java application to the Renumber agent and delivers the address changes meant for it to an
 * {@link AddressChangeHandler}. It needs only the JDK: put the renumber jar on the class path (or copy this
 * package) and nothing else.
 *
 * <pre>{@code
 * try (AddressChangeClient client = AddressChangeClient
 *         .builder("service:jmx:rmi:///jndi/rmi://127.0.0.1:9875/jmxrmi")
 *         .credentials("renumber", password)
 *         .connect()) {
 *     client.subscribe("billing", "web", "", AddressChangeHandler.all(rebinder, reconnects));
 *     ...
 * }
 * }</pre>
 *
 * <h2>What it does</h2>
 * <ul>
 * <li>{@link #subscribe} makes sure the agent has the subscription: it creates it, or reuses one that exists
 *     with the same group and scope (the agent keeps subscriptions across its restarts and the application may
 *     have subscribed in an earlier run). One with the same id but another group or scope is refused, never
 *     changed silently: unsubscribe it first, or pick another id.</li>
 * <li>It records this process's id on the Subscription MBean when the agent offers a writable {@code Pid}
 *     attribute, so the agent can tell the application's sockets from others'.</li>
 * <li>It listens to the Subscription MBean and calls the handler on a thread of its own, one event at a time
 *     in the agent's order; each event type reaches the handler at most once per change. A handler may block.
 *     After a (re)connection it also catches up: a change that is running for this subscriber (warning or
 *     draining) is delivered as if its notification had just arrived.</li>
 * <li>When the handler's {@link AddressChangeHandler#warning} completes, it calls {@code ready(changeId)} on
 *     the Subscription MBean, when the agent offers that operation (it looks in the MBeanInfo each time). An
 *     agent without it starts the change at its own time.</li>
 * <li>It notices a lost connection (the connector reports it failed or closed, or a heartbeat call fails),
 *     reconnects with doubling pauses, puts every subscription back (re-creating it if the agent lost it) and
 *     tells the {@link ConnectionListener}. With an in-process {@link MBeanServerConnection} there is nothing to
 *     reconnect, but a Subscription MBean that disappears and comes back (an agent restarted in the same JVM)
 *     is listened to again.</li>
 * </ul>
 * Notifications sent while the connection is down are lost; the catch-up covers a change that is still
 * running when the client is back. Close the client to stop everything; subscriptions stay on the agent.
 */
public final class AddressChangeClient implements AutoCloseable {

    /** The agent's service MBean. */
    public static final String SERVICE_NAME = MBeanNames.SERVICE.toString();
    private static final Pattern ADDRESS_LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    /** How many (change, event type) pairs a subscription remembers to drop repeats. */
    private static final int REMEMBERED_EVENTS = 512;
    private static final System.Logger log = System.getLogger(AddressChangeClient.class.getName());

    private final JMXServiceURL url;
    private final Map<String, Object> environment;
    private final MBeanServerConnection inProcess;
    private final ConnectionListener connectionListener;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration heartbeat;
    private final ObjectName service;
    private final long pid = ProcessHandle.current().pid();

    /** Connection work (connect, subscribe, reconnect, heartbeat) runs here, one task at a time. */
    private final ScheduledExecutorService connectionThread;
    /** Handlers and the connection listener run here, so neither JMX's threads nor reconnects wait for them. */
    private final ExecutorService eventThread;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final NotificationListener delegateListener = this::delegateNotification;
    private final NotificationListener connectorListener = this::connectorNotification;

    // Written on the connection thread only.
    private volatile Thread connectionWorker;
    private volatile MBeanServerConnection connection;
    private volatile JMXConnector connector;
    /** Number of connectors opened so far; a connector's notifications carry its number. */
    private long opened;
    /** Number of the connector in use; notifications from older ones are stale. */
    private volatile long generation;
    private volatile boolean closed;

    private AddressChangeClient(Builder builder) {
        this.url = builder.url;
        this.environment = builder.environment();
        this.inProcess = builder.inProcess;
        this.connectionListener = builder.connectionListener;
        this.initialBackoff = builder.initialBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.heartbeat = builder.heartbeat;
        this.service = MBeanNames.SERVICE;
        this.connectionThread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = daemon("renumber-client-connection").newThread(runnable);
            connectionWorker = thread;
            return thread;
        });
        this.eventThread = Executors.newSingleThreadExecutor(daemon("renumber-client-events"));
    }

    /** A client for the agent's JMX connector, e.g. {@code service:jmx:rmi:///jndi/rmi://127.0.0.1:9875/jmxrmi}. */
    public static Builder builder(String jmxServiceUrl) {
        try {
            return builder(new JMXServiceURL(requireNonNull(jmxServiceUrl, "jmxServiceUrl")));
        } catch (java.net.MalformedURLException e) {
            throw new IllegalArgumentException("'" + jmxServiceUrl + "' is not a JMX service URL", e);
        }
    }

    public static Builder builder(JMXServiceURL url) {
        return new Builder(requireNonNull(url, "url"), null);
    }

    /** A client for an agent in this JVM (or any connection the application manages itself). */
    public static Builder builder(MBeanServerConnection connection) {
        return new Builder(null, requireNonNull(connection, "connection"));
    }

    /** How to reach the agent; {@link #connect()} makes the client. */
    public static final class Builder {
        private final JMXServiceURL url;
        private final MBeanServerConnection inProcess;
        private String user;
        private String password;
        private ConnectionListener connectionListener = new ConnectionListener() { };
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration heartbeat = Duration.ofSeconds(5);

        private Builder(JMXServiceURL url, MBeanServerConnection inProcess) {
            this.url = url;
            this.inProcess = inProcess;
        }

        /** The agent's user and password (its state directory's {@code credentials} file, or jolokia.properties). */
        public Builder credentials(String user, String password) {
            this.user = requireNonNull(user, "user");
            this.password = requireNonNull(password, "password");
            return this;
        }

        public Builder connectionListener(ConnectionListener listener) {
            this.connectionListener = requireNonNull(listener, "listener");
            return this;
        }

        /** Pause before the first reconnection attempt, doubled after each failure up to {@code max}. */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff must be positive with max >= initial: " + initial
                        + ", " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** How often the client checks that the agent still answers. */
        public Builder heartbeat(Duration period) {
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("heartbeat period must be positive: " + period);
            }
            this.heartbeat = period;
            return this;
        }

        /**
         * Connects now.
         *
         * @throws IOException when the agent cannot be reached or refuses the login; nothing keeps running then
         */
        public AddressChangeClient connect() throws IOException {
            AddressChangeClient client = new AddressChangeClient(this);
            try {
                client.onConnectionThread(() -> {
                    client.open();
                    return null;
                });
            } catch (IOException | RuntimeException e) {
                client.close();
                throw e;
            }
            client.connectionThread.scheduleWithFixedDelay(client::checkHeartbeat, heartbeat.toMillis(),
                    heartbeat.toMillis(), TimeUnit.MILLISECONDS);
            return client;
        }

        private Map<String, Object> environment() {
            Map<String, Object> env = new HashMap<>();
            if (user != null) {
                env.put(JMXConnector.CREDENTIALS, new String[] {user, password});
            }
            return env;
        }
    }

    /**
     * Subscribes and starts delivering this subscriber's events to {@code handler}.
     *
     * @param subscriberId unique id of this application (1-64 letters, digits, '.', '_', '@' or '-')
     * @param group        group name operators target with {@code group:NAME}; empty for none
     * @param scope        empty for every change, an IP address, or an interface name
     * @return the subscription; closing it stops the events and leaves the subscription on the agent
     * @throws IOException              when the client is not connected (it may be reconnecting) or the call fails
     * @throws IllegalArgumentException when the agent refuses the arguments (its message says why)
     * @throws IllegalStateException    when the id is subscribed with another group or scope, or already used by
     *                                  this client
     */
    public Subscription subscribe(String subscriberId, String group, String scope, AddressChangeHandler handler)
            throws IOException {
        requireNonNull(subscriberId, "subscriberId");
        requireNonNull(handler, "handler");
        Subscription subscription = new Subscription(subscriberId.strip(), group == null ? "" : group.strip(),
                scope == null ? "" : scope.strip(), handler);
        if (subscriptions.putIfAbsent(subscription.subscriberId, subscription) != null) {
            throw new IllegalStateException("subscriber id '" + subscription.subscriberId
                    + "' is already subscribed through this client");
        }
        try {
            onConnectionThread(() -> {
                attach(subscription, requireConnection());
                return null;
            });
            return subscription;
        } catch (IOException | RuntimeException e) {
            subscriptions.remove(subscription.subscriberId, subscription);
            throw e;
        }
    }

    /** Whether the client is connected now (false while it reconnects). */
    public boolean isConnected() {
        return connection != null;
    }

    /** Stops listening and reconnecting. Subscriptions stay on the agent; handlers get no more events. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscriptions.values().forEach(s -> s.closed = true);
        try {
            connectionThread.submit(this::disconnect).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RejectedExecutionException e) {
            log.log(Level.DEBUG, "closing the JMX connection: {0}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connectionThread.shutdownNow();
        eventThread.shutdown();
    }

    /** One subscriber's events; close it to stop them. */
    public final class Subscription implements AutoCloseable {
        private final String subscriberId;
        private final String group;
        private final String scope;
        private final AddressChangeHandler handler;
        private final ObjectName objectName;
        private final NotificationListener listener = this::received;
        /** (change id, type) pairs delivered already; touched on the event thread only. */
        private final Set<String> delivered = new LinkedHashSet<>();
        private volatile boolean attached;
        private volatile boolean closed;

        private Subscription(String subscriberId, String group, String scope, AddressChangeHandler handler) {
            this.subscriberId = subscriberId;
            this.group = group;
            this.scope = scope;
            this.handler = handler;
            this.objectName = MBeanNames.subscription(subscriberId);
        }

        public String subscriberId() {
            return subscriberId;
        }

        /** {@code renumber:type=Subscription,id=<subscriberId>} */
        public ObjectName objectName() {
            return objectName;
        }

        /** Stops delivering events to the handler; the subscription stays on the agent for the next run. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            subscriptions.remove(subscriberId, this);
            try {
                onConnectionThread(() -> {
                    detach(this);
                    return null;
                });
            } catch (IOException | RuntimeException e) {
                log.log(Level.DEBUG, "removing the listener of {0}: {1}", subscriberId, e.toString());
            }
        }

        /** Closes this subscription and removes it from the agent too. */
        public void unsubscribe() throws IOException {
            close();
            onConnectionThread(() -> {
                invoke(requireConnection(), service, Operations.UNSUBSCRIBE, subscriberId);
                return null;
            });
        }

        // JMX notification thread: hand over at once.
        private void received(Notification notification, Object handback) {
            if (closed) {
                return;
            }
            AddressChangeEvent event;
            try {
                event = AddressChangeEvent.from(notification);
            } catch (IllegalArgumentException e) {
                log.log(Level.WARNING, "ignoring a notification for {0}: {1}", subscriberId, e.getMessage());
                return;
            }
            deliver(event);
        }

        private void deliver(AddressChangeEvent event) {
            runOnEventThread(() -> {
                if (closed || !delivered.add(event.changeId() + " " + event.notificationType())) {
                    return;
                }
                while (delivered.size() > REMEMBERED_EVENTS) {
                    delivered.remove(delivered.iterator().next());
                }
                try {
                    if (event.type() == AddressChangeEvent.Type.WARNING) {
                        CompletionStage<Void> ready = handler.warning(event);
                        if (ready != null) {
                            ready.whenComplete((ok, failure) -> acknowledge(event.changeId(), failure));
                        }
                    } else {
                        handler.dispatch(event);
                    }
                } catch (RuntimeException e) {
                    log.log(Level.WARNING, "handler of " + subscriberId + " failed on " + event.notificationType()
                            + " for change " + event.changeId(), e);
                }
            });
        }

        private void acknowledge(String changeId, Throwable failure) {
            if (failure != null) {
                log.log(Level.WARNING, "{0} is not ready for change {1} ({2}); the agent starts it when the warning "
                        + "time is up", subscriberId, changeId, failure.toString());
                return;
            }
            runOnConnectionThread(() -> {
                MBeanServerConnection current = connection;
                if (current == null || closed) {
                    log.log(Level.WARNING, "{0} is ready for change {1} but not connected to tell the agent",
                            subscriberId, changeId);
                    return;
                }
                try {
                    if (hasOperation(current, objectName, Operations.READY)) {
                        invoke(current, objectName, Operations.READY, changeId);
                    } else {
                        log.log(Level.INFO, "the agent has no ready operation on {0}; change {1} starts at its own "
                                + "time", objectName, changeId);
                    }
                } catch (IOException | RuntimeException e) {
                    log.log(Level.WARNING, "telling the agent " + subscriberId + " is ready for " + changeId
                            + " failed", e);
                }
            });
        }

        @Override
        public String toString() {
            return "Subscription[" + subscriberId + ", group=" + group + ", scope=" + scope + "]";
        }
    }

    // ---- connection thread ------------------------------------------------------------------------------------

    private void open() throws IOException {
        long number = ++opened;
        MBeanServerConnection newConnection;
        if (inProcess != null) {
            newConnection = inProcess;
        } else {
            JMXConnector newConnector = JMXConnectorFactory.newJMXConnector(url, environment);
            newConnector.addConnectionNotificationListener(connectorListener, null, number);
            try {
                newConnector.connect(environment);
                newConnection = newConnector.getMBeanServerConnection();
            } catch (IOException | RuntimeException e) {
                closeQuietly(newConnector);
                throw e;
            }
            connector = newConnector;
        }
        try {
            NotificationFilterSupport registrations = new NotificationFilterSupport();
            registrations.enableType(MBeanServerNotification.REGISTRATION_NOTIFICATION);
            registrations.enableType(MBeanServerNotification.UNREGISTRATION_NOTIFICATION);
            newConnection.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, delegateListener, registrations,
                    null);
            if (!newConnection.isRegistered(service)) {
                throw new IOException("no " + SERVICE_NAME + " MBean at " + where() + ": is this a renumber agent?");
            }
        } catch (InstanceNotFoundException e) {
            throw new IOException("the MBean server at " + where() + " has no delegate", e);
        } catch (IOException | RuntimeException e) {
            closeLink();
            throw e;
        }
        generation = number;
        connection = newConnection;
    }

    private void attach(Subscription subscription, MBeanServerConnection current) throws IOException {
        if (subscription.closed) {
            return;
        }
        ensureSubscribed(current, subscription);
        recordPid(current, subscription);
        if (!subscription.attached) {
            try {
                current.addNotificationListener(subscription.objectName, subscription.listener, null, null);
            } catch (InstanceNotFoundException e) {
                throw new IllegalStateException(subscription.objectName + " vanished while subscribing", e);
            }
            subscription.attached = true;
        }
        catchUp(current, subscription);
    }

    private void ensureSubscribed(MBeanServerConnection current, Subscription s) throws IOException {
        if (current.isRegistered(s.objectName)) {
            requireSameSubscription(current, s);
            return;
        }
        try {
            invoke(current, service, Operations.SUBSCRIBE, s.subscriberId, s.group, s.scope);
        } catch (IllegalArgumentException e) {
            // Someone subscribed the same id between our check and our call: reuse it if it is the same.
            if (!current.isRegistered(s.objectName)) {
                throw e;
            }
            requireSameSubscription(current, s);
        }
    }

    private void requireSameSubscription(MBeanServerConnection current, Subscription s) throws IOException {
        String existingGroup = String.valueOf(attribute(current, s.objectName, Attributes.Subscription.GROUP));
        String existingScope = String.valueOf(attribute(current, s.objectName, Attributes.Subscription.SCOPE));
        if (!existingGroup.equals(s.group) || !sameScope(existingScope, s.scope)) {
            throw new IllegalStateException("subscriber id '" + s.subscriberId + "' is already subscribed with group '"
                    + existingGroup + "' and scope '" + existingScope + "', not group '" + s.group + "' and scope '"
                    + s.scope + "': unsubscribe it first or pick another id");
        }
    }

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

    private void recordPid(MBeanServerConnection current, Subscription s) throws IOException {
        try {
            MBeanInfo info = current.getMBeanInfo(s.objectName);
            boolean translating = Arrays.stream(info.getOperations())
                    .anyMatch(o -> o.getName().equals(Operations.RECORD_PROCESS.name())
                            && o.getSignature().length == Operations.RECORD_PROCESS.parameterTypes().size());
            boolean writable = Arrays.stream(info.getAttributes())
                    .anyMatch(a -> a.getName().equals(Attributes.Subscription.PID) && a.isWritable() && isLong(a));
            if (translating) {
                // In a container the agent knows this process by another id; it translates ours.
                Object agentPid = current.invoke(s.objectName, Operations.RECORD_PROCESS.name(),
                        new Object[] {pid, pidNamespace()}, Operations.RECORD_PROCESS.signature());
                log.log(Level.DEBUG, "recorded pid {0} on {1}; the agent sees this process as {2}", pid,
                        s.objectName, agentPid);
            } else if (writable) {
                current.setAttribute(s.objectName, new Attribute(Attributes.Subscription.PID, pid));
            } else {
                log.log(Level.DEBUG, "{0} has no writable Pid attribute; process id not recorded", s.objectName);
            }
        } catch (JMException | RuntimeMBeanException e) {
            // The pid is a help for the agent, not a condition of the subscription.
            log.log(Level.WARNING, "could not record pid {0} on {1}: {2}", pid, s.objectName, e.toString());
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

    /** Delivers a change running for this subscriber (warning or draining) whose notification we may have missed. */
    private void catchUp(MBeanServerConnection current, Subscription s) {
        try {
            Set<ObjectName> running = current.queryNames(MBeanNames.CHANGES, Query.or(
                    Query.eq(Query.attr(Attributes.Change.STATE), Query.value(Attributes.Change.STATE_DRAINING)),
                    Query.eq(Query.attr(Attributes.Change.STATE), Query.value(Attributes.Change.STATE_WARNING))));
            for (ObjectName change : running) {
                Map<String, Object> values = new LinkedHashMap<>();
                AttributeList list = current.getAttributes(change, Attributes.Change.ALL.toArray(String[]::new));
                list.asList().forEach(a -> values.put(a.getName(), a.getValue()));
                Object subscribers = values.get(Attributes.Change.SUBSCRIBERS);
                if (!(subscribers instanceof String[] ids) || !List.of(ids).contains(s.subscriberId)) {
                    continue;
                }
                boolean warning = Attributes.Change.STATE_WARNING.equals(values.get(Attributes.Change.STATE));
                AddressChangeEvent.Type type = warning ? AddressChangeEvent.Type.WARNING : AddressChangeEvent.Type.STARTED;
                s.deliver(AddressChangeEvent.from(caughtUp(type, values, s.objectName)));
            }
        } catch (IOException | JMException | RuntimeException e) {
            log.log(Level.WARNING, "could not look for running changes for {0}: {1}", s.subscriberId, e.toString());
        }
    }

    private static Notification caughtUp(AddressChangeEvent.Type type, Map<String, Object> values, ObjectName source)
            throws OpenDataException {
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

    private void detach(Subscription s) {
        MBeanServerConnection current = connection;
        if (current != null && s.attached) {
            try {
                current.removeNotificationListener(s.objectName, s.listener);
            } catch (IOException | JMException | RuntimeException e) {
                log.log(Level.DEBUG, "removing the listener of {0}: {1}", s.subscriberId, e.toString());
            }
        }
        s.attached = false;
    }

    private void checkHeartbeat() {
        MBeanServerConnection current = connection;
        if (current == null || closed) {
            return;
        }
        try {
            current.getMBeanCount();
        } catch (IOException | RuntimeException e) {
            connectionLost(generation, e);
        }
    }

    // JMX connector thread.
    private void connectorNotification(Notification notification, Object handback) {
        String type = notification.getType();
        if (type.equals(JMXConnectionNotification.FAILED) || type.equals(JMXConnectionNotification.CLOSED)) {
            long failed = (Long) handback;
            Throwable cause = notification.getUserData() instanceof Throwable t ? t
                    : new IOException("JMX connection " + type.substring(type.lastIndexOf('.') + 1));
            runOnConnectionThread(() -> connectionLost(failed, cause));
        } else if (type.equals(JMXConnectionNotification.NOTIFS_LOST)) {
            log.log(Level.WARNING, "the JMX connection to {0} lost notifications: {1}", where(),
                    notification.getMessage());
        }
    }

    private void connectionLost(long failedGeneration, Throwable cause) {
        if (closed || failedGeneration != generation || connection == null) {
            return;
        }
        log.log(Level.WARNING, "lost the connection to the renumber agent at {0} ({1}); reconnecting", where(),
                cause.toString());
        closeLink();
        subscriptions.values().forEach(s -> s.attached = false);
        runOnEventThread(() -> connectionListener.disconnected(cause));
        scheduleReconnect(1, initialBackoff.toMillis());
    }

    private void scheduleReconnect(int attempt, long delayMillis) {
        if (closed) {
            return;
        }
        try {
            connectionThread.schedule(() -> reconnect(attempt, delayMillis), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void reconnect(int attempt, long delayMillis) {
        if (closed || connection != null) {
            return;
        }
        try {
            open();
            for (Subscription s : subscriptions.values()) {
                attach(s, connection);
            }
        } catch (IOException | RuntimeException e) {
            closeLink();
            subscriptions.values().forEach(s -> s.attached = false);
            long next = Math.min(delayMillis * 2, maxBackoff.toMillis());
            log.log(Level.DEBUG, "reconnection attempt {0} to {1} failed: {2}", attempt, where(), e.toString());
            runOnEventThread(() -> connectionListener.reconnectFailed(attempt, e, next));
            scheduleReconnect(attempt + 1, next);
            return;
        }
        log.log(Level.INFO, "reconnected to the renumber agent at {0}; {1} subscription(s) restored", where(),
                subscriptions.size());
        runOnEventThread(connectionListener::reconnected);
    }

    // MBean server delegate: a Subscription MBean went or came while we are connected.
    private void delegateNotification(Notification notification, Object handback) {
        if (!(notification instanceof MBeanServerNotification registration)) {
            return;
        }
        ObjectName mbean = registration.getMBeanName();
        Subscription s = subscriptions.values().stream().filter(x -> x.objectName.equals(mbean)).findFirst()
                .orElse(null);
        if (s == null || s.closed) {
            return;
        }
        if (registration.getType().equals(MBeanServerNotification.UNREGISTRATION_NOTIFICATION)) {
            runOnConnectionThread(() -> {
                if (s.attached) {
                    s.attached = false;
                    log.log(Level.WARNING, "{0} was removed from the agent; no more events for {1}", mbean,
                            s.subscriberId);
                    runOnEventThread(() -> connectionListener.subscriptionLost(s.subscriberId));
                }
            });
        } else {
            runOnConnectionThread(() -> {
                MBeanServerConnection current = connection;
                if (current == null || s.attached || s.closed) {
                    return;
                }
                try {
                    attach(s, current);
                    log.log(Level.INFO, "{0} is back; listening again", mbean);
                    runOnEventThread(connectionListener::reconnected);
                } catch (IOException | RuntimeException e) {
                    log.log(Level.WARNING, "could not listen to " + mbean + " again", e);
                }
            });
        }
    }

    private void disconnect() {
        subscriptions.values().forEach(this::detach);
        MBeanServerConnection current = connection;
        if (current != null) {
            try {
                current.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, delegateListener);
            } catch (IOException | JMException | RuntimeException e) {
                log.log(Level.DEBUG, "removing the delegate listener: {0}", e.toString());
            }
        }
        closeLink();
    }

    private void closeLink() {
        connection = null;
        JMXConnector old = connector;
        connector = null;
        if (old != null) {
            closeQuietly(old);
        }
    }

    private static void closeQuietly(JMXConnector c) {
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            log.log(Level.DEBUG, "closing a JMX connector: {0}", e.toString());
        }
    }

    private MBeanServerConnection requireConnection() throws IOException {
        if (closed) {
            throw new IOException("the client is closed");
        }
        MBeanServerConnection current = connection;
        if (current == null) {
            throw new IOException("not connected to the renumber agent at " + where() + " (reconnecting); try again");
        }
        return current;
    }

    private String where() {
        return url != null ? url.toString() : "the in-process MBean server";
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private <T> T onConnectionThread(Callable<T> task) throws IOException {
        if (Thread.currentThread() == connectionWorker) {
            try {
                return task.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return connectionThread.submit(task).get();
        } catch (RejectedExecutionException e) {
            throw new IOException("the client is closed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while talking to the agent", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        }
    }

    private void runOnConnectionThread(Runnable task) {
        try {
            connectionThread.execute(task);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    private void runOnEventThread(Runnable task) {
        try {
            eventThread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.log(Level.WARNING, "an application callback failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Invokes an operation; the agent's refusal comes back as the JDK exception it threw, with its message. */
    private static Object invoke(MBeanServerConnection c, ObjectName target, Operation operation, Object... args)
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

    private static Object attribute(MBeanServerConnection c, ObjectName target, String attribute) throws IOException {
        try {
            return c.getAttribute(target, attribute);
        } catch (JMException | RuntimeMBeanException e) {
            throw new IllegalStateException("cannot read " + attribute + " of " + target + ": " + e, e);
        }
    }

    private static RuntimeException agentRefusal(Throwable cause, ObjectName target, String operation) {
        String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        if (cause instanceof IllegalArgumentException) {
            return new IllegalArgumentException(message, cause);
        }
        return new IllegalStateException(operation + " on " + target + " failed: " + message, cause);
    }

    private static boolean hasOperation(MBeanServerConnection c, ObjectName target, Operation operation)
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


    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
