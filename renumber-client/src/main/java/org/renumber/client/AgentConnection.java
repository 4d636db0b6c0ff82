package org.renumber.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.Notification;
import javax.management.NotificationFilterSupport;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.remote.JMXConnectionNotification;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.renumber.api.MBeanNames;

/**
 * The client's connection to the agent: opens it, notices when it is lost (the connector reports it failed or
 * closed, or a heartbeat call fails), reconnects with doubling pauses and hands the new connection to its
 * {@link Owner}. All connection work runs on one thread of its own, one task at a time.
 */
final class AgentConnection {

    /** What the connection tells the client about. */
    interface Owner {
        /** Connection thread: a new connection; put every subscription back on it (a failure retries later). */
        void restore(MBeanServerConnection connection) throws IOException;

        /** Connection thread: the connection is gone, nothing listens any more. */
        void lost();

        /** Connection thread: the client is closing; remove the listeners from {@code connection}. */
        void closing(MBeanServerConnection connection);

        /** JMX thread: the connector dropped notifications meant for this client. */
        void notificationsLost();

        /** Connection thread: an MBean came ({@code registered}) or went while connected. */
        void registration(ObjectName mbean, boolean registered, MBeanServerConnection connection);
    }

    private static final System.Logger log = System.getLogger(AddressChangeClient.class.getName());

    private final JMXServiceURL url;
    private final Map<String, Object> environment;
    private final MBeanServerConnection inProcess;
    private final ConnectionListener connectionListener;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final EventThread events;
    private final Owner owner;
    private final ScheduledExecutorService thread;
    private final NotificationListener delegateListener = this::delegateNotification;
    private final NotificationListener connectorListener = this::connectorNotification;

    // Written on the connection thread only.
    private volatile Thread worker;
    private volatile MBeanServerConnection connection;
    private volatile JMXConnector connector;
    /** Number of connectors opened so far; a connector's notifications carry its number. */
    private long opened;
    /** Number of the connector in use; notifications from older ones are stale. */
    private volatile long generation;
    private volatile boolean closed;

    AgentConnection(JMXServiceURL url, Map<String, Object> environment, MBeanServerConnection inProcess,
                    ConnectionListener connectionListener, Duration initialBackoff, Duration maxBackoff,
                    EventThread events, Owner owner) {
        this.url = url;
        this.environment = environment;
        this.inProcess = inProcess;
        this.connectionListener = requireNonNull(connectionListener, "connectionListener");
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.events = requireNonNull(events, "events");
        this.owner = requireNonNull(owner, "owner");
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread created = AgentCalls.daemon("renumber-client-connection").newThread(runnable);
            worker = created;
            return created;
        });
    }

    /** Connects now, then checks every {@code heartbeat} that the agent still answers. */
    void connect(Duration heartbeat) throws IOException {
        call(() -> {
            open();
            return null;
        });
        thread.scheduleWithFixedDelay(this::checkHeartbeat, heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The connection now, null while reconnecting. */
    MBeanServerConnection current() {
        return connection;
    }

    MBeanServerConnection require() throws IOException {
        if (closed) {
            throw new IOException("the client is closed");
        }
        MBeanServerConnection current = connection;
        if (current == null) {
            throw new IOException("not connected to the renumber agent at " + where() + " (reconnecting); try again");
        }
        return current;
    }

    /** Runs {@code task} on the connection thread and waits for it. */
    <T> T call(Callable<T> task) throws IOException {
        if (Thread.currentThread() == worker) {
            try {
                return task.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            return thread.submit(task).get();
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

    /** Queues {@code task} on the connection thread. */
    void execute(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    String where() {
        return url != null ? url.toString() : "the in-process MBean server";
    }

    /** Stops reconnecting and closes the connection. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            thread.submit(this::disconnect).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            log.log(Level.DEBUG, "closing the JMX connection: {0}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.shutdownNow();
    }

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
                AgentCalls.closeQuietly(newConnector);
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
            if (!newConnection.isRegistered(MBeanNames.SERVICE)) {
                throw new IOException("no " + MBeanNames.SERVICE + " MBean at " + where()
                        + ": is this a renumber agent?");
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
            execute(() -> connectionLost(failed, cause));
        } else if (type.equals(JMXConnectionNotification.OPENED) && (Long) handback == generation
                && connection != null) {
            // The JDK's connector reconnected by itself (it looks the agent up again after a failed call) and put
            // the listeners back; whatever was sent meanwhile, by this agent or by one that has since restarted,
            // never reached them.
            log.log(Level.INFO, "the JMX connection to {0} was re-established by the connector; catching up from "
                    + "the agent", where());
            owner.notificationsLost();
        } else if (type.equals(JMXConnectionNotification.NOTIFS_LOST)) {
            log.log(Level.INFO, "the JMX connection to {0} lost notifications ({1}); catching up from the agent",
                    where(), notification.getMessage());
            owner.notificationsLost();
        }
    }

    private void connectionLost(long failedGeneration, Throwable cause) {
        if (closed || failedGeneration != generation || connection == null) {
            return;
        }
        log.log(Level.WARNING, "lost the connection to the renumber agent at {0} ({1}); reconnecting", where(),
                cause.toString());
        closeLink();
        owner.lost();
        events.run(() -> connectionListener.disconnected(cause));
        scheduleReconnect(1, initialBackoff.toMillis());
    }

    private void scheduleReconnect(int attempt, long delayMillis) {
        if (closed) {
            return;
        }
        try {
            thread.schedule(() -> reconnect(attempt, delayMillis), delayMillis, TimeUnit.MILLISECONDS);
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
            owner.restore(connection);
        } catch (IOException | RuntimeException e) {
            closeLink();
            owner.lost();
            long next = Math.min(delayMillis * 2, maxBackoff.toMillis());
            log.log(Level.DEBUG, "reconnection attempt {0} to {1} failed: {2}", attempt, where(), e.toString());
            events.run(() -> connectionListener.reconnectFailed(attempt, e, next));
            scheduleReconnect(attempt + 1, next);
            return;
        }
        log.log(Level.INFO, "reconnected to the renumber agent at {0}", where());
        events.run(connectionListener::reconnected);
    }

    // MBean server delegate: an MBean went or came while we are connected.
    private void delegateNotification(Notification notification, Object handback) {
        if (notification instanceof MBeanServerNotification registration) {
            boolean registered = registration.getType().equals(MBeanServerNotification.REGISTRATION_NOTIFICATION);
            execute(() -> {
                MBeanServerConnection current = connection;
                if (current != null && !closed) {
                    owner.registration(registration.getMBeanName(), registered, current);
                }
            });
        }
    }

    private void disconnect() {
        MBeanServerConnection current = connection;
        if (current != null) {
            owner.closing(current);
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
            AgentCalls.closeQuietly(old);
        }
    }
}
