package org.renumber.jmx;

import java.time.Clock;
import org.renumber.service.AddressChangeService;
import org.renumber.service.SubscriberRegistry;
import org.renumber.testing.InMemoryGuard;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryKernel;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemorySocketKiller;
import org.renumber.testing.InMemoryTracker;

/** An address change service on the in-memory kernel, for the adapter tests: v0 10.9.0.1/24, v1 10.20.0.1/24. */
public final class ServiceFixture implements AutoCloseable {

    private final InMemoryKernel kernel = new InMemoryKernel(new InMemoryNetwork()
            .withInterface("v0", "10.9.0.1/24")
            .withInterface("v1", "10.20.0.1/24"));
    public final InMemoryNetwork network = kernel.network;
    public final InMemoryTracker tracker = kernel.tracker;
    public final InMemoryGuard guard = kernel.guard;
    public final InMemorySocketKiller sockets = kernel.killer;
    public final InMemoryJournal journal = kernel.journal;
    /** Not started: adapter tests export MBeans before or after {@link #start()}. */
    public final AddressChangeService service = new AddressChangeService(kernel.ports(), journal, kernel.settings,
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
