package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import org.renumber.domain.Subscription;
import org.renumber.service.AddressChangeService;
import org.renumber.service.SubscriberRegistry;
import org.weakref.jmx.Managed;

/**
 * {@code renumber:type=Subscription,id=<subscriberId>}: an application listens here and receives only the
 * change notifications targeted at it.
 */
@MBeanDescription(description = "An application subscribed to address changes; emits the notifications targeted at it")
public final class ManagedSubscription {

    private final Subscription subscription;
    private final SubscriberRegistry registry;
    private final AddressChangeService service;
    private final ChangeEventLog events;

    ManagedSubscription(Subscription subscription, AddressChangeService service, ChangeEventLog events) {
        this.subscription = requireNonNull(subscription, "subscription");
        this.service = requireNonNull(service, "service");
        this.registry = service.subscribers();
        this.events = requireNonNull(events, "events");
    }

    @Managed(description = "Sequence number of the last change event sent to this subscriber (the next one is one "
            + "more; each notification's userData carries its number as 'sequence'). A listener reads it before it "
            + "starts listening, then calls pendingEvents on the service with it to miss nothing in between")
    public long getSequence() {
        return events.sequence(subscription.subscriberId());
    }

    @Managed(description = "Tells the agent this application is ready for a scheduled change it was warned about "
            + "(renumber.change.warning); the change starts once every target is ready, or when its warning time "
            + "passes. The client library calls it when the handler's warning completes")
    public void ready(@Param(description = "change id from the renumber.change.warning notification") String changeId) {
        service.acknowledge(changeId, subscription.subscriberId());
    }

    @Managed(description = "Subscriber id")
    public String getSubscriberId() {
        return subscription.subscriberId();
    }

    @Managed(description = "Group the subscriber belongs to (targeted with group:NAME); empty for none")
    public String getGroup() {
        return subscription.group();
    }

    @Managed(description = "Changes the subscriber hears about when a change names no targets: empty for all, an "
            + "IP address, or an interface name")
    public String getScope() {
        return subscription.scope();
    }

    @Managed(description = "Process id of the subscribed application in the agent's PID namespace (the client "
            + "library records it at subscribe, with recordProcess); 0 when unknown")
    public long getPid() {
        return registry.find(subscription.subscriberId()).orElse(subscription).pid();
    }

    @Managed(description = "Records the process id of the subscribed application (0 clears it); persisted")
    public void setPid(long pid) {
        registry.recordPid(subscription.subscriberId(), pid);
    }

    @Managed(description = "Records the subscribed application's process as it knows itself, and returns the id "
            + "the agent sees it by (what Pid then shows); persisted. An application in a container has its own PID "
            + "namespace, whose ids the agent translates")
    public long recordProcess(
            @Param(description = "the application's process id in its own PID namespace "
                    + "(ProcessHandle.current().pid())") long pid,
            @Param(description = "its PID namespace as /proc/self/ns/pid reads, e.g. pid:[4026532710]; empty for "
                    + "the agent's") String pidNamespace) {
        return service.recordProcess(subscription.subscriberId(), pid, pidNamespace);
    }
}
