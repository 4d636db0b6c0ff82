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

    public ManagedSubscription(Subscription subscription, AddressChangeService service) {
        this.subscription = requireNonNull(subscription, "subscription");
        this.service = requireNonNull(service, "service");
        this.registry = service.subscribers();
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

    @Managed(description = "Process id of the subscribed application, as it recorded it (the client library "
            + "does at subscribe); 0 when unknown. Meaningful in the agent's PID namespace only")
    public long getPid() {
        return registry.find(subscription.subscriberId()).orElse(subscription).pid();
    }

    @Managed(description = "Records the process id of the subscribed application (0 clears it); persisted")
    public void setPid(long pid) {
        registry.recordPid(subscription.subscriberId(), pid);
    }
}
