package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import org.renumber.domain.Subscription;
import org.weakref.jmx.Managed;

/**
 * {@code renumber:type=Subscription,id=<subscriberId>}: an application listens here and receives only the
 * change notifications targeted at it.
 */
@MBeanDescription(description = "An application subscribed to address changes; emits the notifications targeted at it")
public final class ManagedSubscription {

    private final Subscription subscription;

    public ManagedSubscription(Subscription subscription) {
        this.subscription = requireNonNull(subscription, "subscription");
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
}
