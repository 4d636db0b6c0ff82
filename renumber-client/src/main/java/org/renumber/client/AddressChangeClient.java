package org.renumber.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXServiceURL;
import org.renumber.api.MBeanNames;
import org.renumber.api.Operations;

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
 *     in the agent's order, exactly once each (an event type at most once per change). A handler may block.
 *     Nothing is missed silently: the agent numbers each subscriber's events, and when a number is skipped, the
 *     connector reports lost notifications, or the client (or the JDK's connector by itself) reconnects, the
 *     client first reads the missed events back from the agent ({@code pendingEvents}) and delivers them in
 *     order. A change already running when
 *     the client subscribes (warning or draining) is delivered as if its notification had just arrived.</li>
 * <li>When the handler's {@link AddressChangeHandler#warning} completes, it calls {@code ready(changeId)} on
 *     the Subscription MBean, when the agent offers that operation (it looks in the MBeanInfo each time). An
 *     agent without it starts the change at its own time.</li>
 * <li>It notices a lost connection (the connector reports it failed or closed, or a heartbeat call fails),
 *     reconnects with doubling pauses, puts every subscription back (re-creating it if the agent lost it) and
 *     tells the {@link ConnectionListener}. With an in-process {@link MBeanServerConnection} there is nothing to
 *     reconnect, but a Subscription MBean that disappears and comes back (an agent restarted in the same JVM)
 *     is listened to again.</li>
 * </ul>
 * The agent keeps its last 512 events for the catch-up, also across its restarts (it journals them): an event
 * sent just before an agent restart and not yet fetched is read back from the restarted agent; a change that is
 * still running when the client is back is delivered. Close the client to stop everything; subscriptions stay on
 * the agent.
 */
public final class AddressChangeClient implements AutoCloseable {

    /** The agent's service MBean. */
    public static final String SERVICE_NAME = MBeanNames.SERVICE.toString();
    private static final System.Logger log = System.getLogger(AddressChangeClient.class.getName());

    private final AgentConnection agent;
    private final EventThread events = new EventThread();
    private final ConnectionListener connectionListener;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private AddressChangeClient(Builder builder) {
        this.connectionListener = builder.connectionListener;
        this.agent = new AgentConnection(builder.url, builder.environment(), builder.inProcess,
                builder.connectionListener, builder.initialBackoff, builder.maxBackoff, events, new Subscriptions());
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
                client.agent.connect(heartbeat);
            } catch (IOException | RuntimeException e) {
                client.close();
                throw e;
            }
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
        Subscription subscription = new Subscription(new SubscriberFeed(subscriberId.strip(),
                group == null ? "" : group.strip(), scope == null ? "" : scope.strip(), handler, agent, events));
        String id = subscription.subscriberId();
        if (subscriptions.putIfAbsent(id, subscription) != null) {
            throw new IllegalStateException("subscriber id '" + id + "' is already subscribed through this client");
        }
        try {
            agent.call(() -> {
                subscription.feed.attach(agent.require());
                return null;
            });
            return subscription;
        } catch (IOException | RuntimeException e) {
            subscriptions.remove(id, subscription);
            throw e;
        }
    }

    /** Whether the client is connected now (false while it reconnects). */
    public boolean isConnected() {
        return agent.current() != null;
    }

    /** Stops listening and reconnecting. Subscriptions stay on the agent; handlers get no more events. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscriptions.values().forEach(s -> s.feed.close());
        agent.close();
        events.shutdown();
    }

    /** One subscriber's events; close it to stop them. */
    public final class Subscription implements AutoCloseable {
        private final SubscriberFeed feed;
        private volatile boolean closed;

        private Subscription(SubscriberFeed feed) {
            this.feed = feed;
        }

        public String subscriberId() {
            return feed.subscriberId();
        }

        /** {@code renumber:type=Subscription,id=<subscriberId>} */
        public ObjectName objectName() {
            return feed.objectName();
        }

        /** Stops delivering events to the handler; the subscription stays on the agent for the next run. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            feed.close();
            subscriptions.remove(subscriberId(), this);
            try {
                agent.call(() -> {
                    feed.detach(agent.current());
                    return null;
                });
            } catch (IOException | RuntimeException e) {
                log.log(Level.DEBUG, "removing the listener of {0}: {1}", subscriberId(), e.toString());
            }
        }

        /** Closes this subscription and removes it from the agent too. */
        public void unsubscribe() throws IOException {
            close();
            agent.call(() -> {
                AgentCalls.invoke(agent.require(), MBeanNames.SERVICE, Operations.UNSUBSCRIBE, subscriberId());
                return null;
            });
        }

        @Override
        public String toString() {
            return feed.toString();
        }
    }

    /** What the connection tells the client: it puts the subscriptions back, or catches them up. */
    private final class Subscriptions implements AgentConnection.Owner {

        @Override
        public void restore(MBeanServerConnection connection) throws IOException {
            for (Subscription s : subscriptions.values()) {
                s.feed.attach(connection);
            }
            log.log(Level.INFO, "{0} subscription(s) restored", subscriptions.size());
        }

        @Override
        public void lost() {
            subscriptions.values().forEach(s -> s.feed.lost());
        }

        @Override
        public void closing(MBeanServerConnection connection) {
            subscriptions.values().forEach(s -> s.feed.detach(connection));
        }

        @Override
        public void notificationsLost() {
            subscriptions.values().forEach(s -> s.feed.catchUpSoon());
        }

        // A Subscription MBean went (the agent lost it) or came back (an agent restarted in the same JVM).
        @Override
        public void registration(ObjectName mbean, boolean registered, MBeanServerConnection connection) {
            Subscription s = subscriptions.values().stream().filter(x -> x.objectName().equals(mbean)).findFirst()
                    .orElse(null);
            if (s == null || s.closed) {
                return;
            }
            if (!registered) {
                if (s.feed.isAttached()) {
                    s.feed.lost();
                    log.log(Level.WARNING, "{0} was removed from the agent; no more events for {1}", mbean,
                            s.subscriberId());
                    events.run(() -> connectionListener.subscriptionLost(s.subscriberId()));
                }
            } else if (!s.feed.isAttached()) {
                try {
                    s.feed.attach(connection);
                    log.log(Level.INFO, "{0} is back; listening again", mbean);
                    events.run(connectionListener::reconnected);
                } catch (IOException | RuntimeException e) {
                    log.log(Level.WARNING, "could not listen to " + mbean + " again", e);
                }
            }
        }
    }
}
