package org.renumber.client;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.renumber.api.Attributes;
import org.renumber.api.MBeanNames;
import org.renumber.api.Operations;
import org.renumber.api.UserDataKeys;

/**
 * One subscriber's events on their way to its handler: exactly once each, in the agent's order.
 *
 * <p>The agent numbers each subscriber's events ({@code sequence} in the user data, one more each time). The feed
 * reads the subscriber's number before it listens and expects one more with every notification; when one arrives
 * with a higher number, or the connector reports lost notifications, or the client reconnects, it first reads what
 * it missed back from the agent ({@code pendingEvents(subscriberId, last)}) and delivers that. Anything numbered at
 * or below the last delivered is a repeat and dropped, and so is a second event of the same type for the same
 * change (an agent that restarts repeats STARTED). An agent that numbers nothing gets the plain behaviour: each
 * notification is delivered as it comes, repeats dropped.
 */
final class SubscriberFeed {

    /** How many (change, event type) pairs are remembered to drop repeats. */
    private static final int REMEMBERED_EVENTS = 512;
    private static final System.Logger log = System.getLogger(AddressChangeClient.class.getName());

    private final String subscriberId;
    private final String group;
    private final String scope;
    private final AddressChangeHandler handler;
    private final ObjectName objectName;
    private final AgentConnection agent;
    private final EventThread events;
    private final NotificationListener listener = this::received;
    /** (change id, type) pairs delivered already; touched on the event thread only. */
    private final Set<String> delivered = new LinkedHashSet<>();
    /** The sequence number the next event carries, -1 while unknown; touched on the event thread only. */
    private long next = -1;
    private volatile boolean attached;
    private volatile boolean closed;

    SubscriberFeed(String subscriberId, String group, String scope, AddressChangeHandler handler,
                   AgentConnection agent, EventThread events) {
        this.subscriberId = requireNonNull(subscriberId, "subscriberId");
        this.group = requireNonNull(group, "group");
        this.scope = requireNonNull(scope, "scope");
        this.handler = requireNonNull(handler, "handler");
        this.objectName = MBeanNames.subscription(subscriberId);
        this.agent = requireNonNull(agent, "agent");
        this.events = requireNonNull(events, "events");
    }

    String subscriberId() {
        return subscriberId;
    }

    ObjectName objectName() {
        return objectName;
    }

    boolean isAttached() {
        return attached;
    }

    /**
     * Connection thread: makes sure the agent has the subscription and listens to it, then catches up: what was
     * sent since the last event delivered, and the changes running for this subscriber now.
     */
    void attach(MBeanServerConnection c) throws IOException {
        if (closed) {
            return;
        }
        Subscribing.ensureSubscribed(c, subscriberId, group, scope);
        Subscribing.recordPid(c, objectName);
        // Read before listening: whatever is sent from here on is either heard or read back.
        Object last = AgentCalls.optionalAttribute(c, objectName, Attributes.Subscription.SEQUENCE);
        if (!attached) {
            if (last instanceof Long number) {
                events.run(() -> {
                    if (next < 0) {
                        next = number + 1;
                    }
                });
            }
            try {
                c.addNotificationListener(objectName, listener, null, null);
            } catch (InstanceNotFoundException e) {
                throw new IllegalStateException(objectName + " vanished while subscribing", e);
            }
            attached = true;
        }
        try {
            RunningChanges.of(c, subscriberId, objectName).forEach(e -> events.run(() -> deliver(e)));
        } catch (IOException | JMException | RuntimeException e) {
            log.log(Level.WARNING, "could not look for running changes for {0}: {1}", subscriberId, e.toString());
        }
        if (last != null) {
            events.run(this::catchUp);
        }
    }

    /** Connection thread: stops listening on {@code c} (null when it is gone already). */
    void detach(MBeanServerConnection c) {
        if (c != null && attached) {
            try {
                c.removeNotificationListener(objectName, listener);
            } catch (IOException | JMException | RuntimeException e) {
                log.log(Level.DEBUG, "removing the listener of {0}: {1}", subscriberId, e.toString());
            }
        }
        attached = false;
    }

    /** Not listening any more (the connection or the MBean went); {@link #attach} listens again. */
    void lost() {
        attached = false;
    }

    /** No more events to the handler. */
    void close() {
        closed = true;
    }

    /** Any thread: catch up with the agent before the next event (the connector lost notifications). */
    void catchUpSoon() {
        events.run(this::catchUp);
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
        events.run(() -> accept(event));
    }

    // Event thread, from here on.
    private void accept(AddressChangeEvent event) {
        long sequence = event.sequence();
        if (sequence < 0 || next < 0) {
            if (sequence >= 0) {
                next = sequence + 1;
            }
            deliver(event);
            return;
        }
        if (sequence > next) {
            catchUp();
        }
        if (sequence < next) {
            return; // delivered already, read back by a catch-up
        }
        skipTo(sequence);
        deliver(event);
    }

    /** Reads back from the agent and delivers every event numbered from {@link #next} on. */
    private void catchUp() {
        MBeanServerConnection c = agent.current();
        if (closed || next < 0 || c == null) {
            return; // a reconnection catches up when it attaches
        }
        Object pending;
        try {
            pending = AgentCalls.invoke(c, MBeanNames.SERVICE, Operations.PENDING_EVENTS, subscriberId, next - 1);
        } catch (IOException | RuntimeException e) {
            log.log(Level.WARNING, "could not read the missed events of {0} from the agent: {1}", subscriberId,
                    e.toString());
            return;
        }
        for (CompositeData item : (CompositeData[]) pending) {
            AddressChangeEvent event = AddressChangeEvent.from(notification(item));
            if (event.sequence() >= next) {
                skipTo(event.sequence());
                deliver(event);
            }
        }
    }

    private void skipTo(long sequence) {
        if (sequence > next) {
            log.log(Level.INFO, "events {0} to {1} of {2} are not in the agent''s log (it restarted, or dropped "
                    + "them as too old); continuing at {3}", next, sequence - 1, subscriberId, sequence);
        }
        next = sequence + 1;
    }

    private Notification notification(CompositeData pending) {
        String type = String.valueOf(pending.get(UserDataKeys.PendingEvent.NOTIFICATION_TYPE));
        Notification notification = new Notification(type, objectName, (Long) pending.get(
                UserDataKeys.ChangeEvent.SEQUENCE), String.valueOf(pending.get(UserDataKeys.PendingEvent.MESSAGE)));
        notification.setUserData(pending);
        return notification;
    }

    private void deliver(AddressChangeEvent event) {
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
    }

    private void acknowledge(String changeId, Throwable failure) {
        if (failure != null) {
            log.log(Level.WARNING, "{0} is not ready for change {1} ({2}); the agent starts it when the warning "
                    + "time is up", subscriberId, changeId, failure.toString());
            return;
        }
        agent.execute(() -> {
            MBeanServerConnection current = agent.current();
            if (current == null || closed) {
                log.log(Level.WARNING, "{0} is ready for change {1} but not connected to tell the agent",
                        subscriberId, changeId);
                return;
            }
            try {
                if (AgentCalls.hasOperation(current, objectName, Operations.READY)) {
                    AgentCalls.invoke(current, objectName, Operations.READY, changeId);
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
