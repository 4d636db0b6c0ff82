package org.renumber.jmx;

import java.time.Clock;
import org.renumber.domain.KernelPorts;
import org.renumber.service.AddressChangeService;
import org.renumber.service.SubscriberRegistry;
import org.renumber.testing.InMemoryGuard;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemorySettings;
import org.renumber.testing.InMemorySocketKiller;
import org.renumber.testing.InMemoryTracker;

/** An address change service on the in-memory kernel, for the adapter tests: v0 10.9.0.1/24, v1 10.20.0.1/24. */
public final class ServiceFixture implements AutoCloseable {

    public final InMemoryNetwork network = new InMemoryNetwork()
            .withInterface("v0", "10.9.0.1/24")
            .withInterface("v1", "10.20.0.1/24");
    public final InMemoryTracker tracker = new InMemoryTracker();
    public final InMemoryGuard guard = new InMemoryGuard();
    public final InMemorySocketKiller sockets = new InMemorySocketKiller(tracker);
    public final InMemoryJournal journal = new InMemoryJournal();
    public final AddressChangeService service = new AddressChangeService(
            new KernelPorts(network, tracker, guard, sockets), journal, new InMemorySettings(),
            new SubscriberRegistry(journal), Clock.systemUTC());

    public ServiceFixture start() {
        service.start();
        return this;
    }

    @Override
    public void close() {
        service.close();
    }
}
