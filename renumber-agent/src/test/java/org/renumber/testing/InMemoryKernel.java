package org.renumber.testing;

import java.time.Clock;
import java.util.function.Consumer;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.port.ChangeListener;
import org.renumber.domain.port.KernelPorts;
import org.renumber.service.AddressChangeService;
import org.renumber.service.SubscriberRegistry;

/**
 * Every in-memory stand-in a service test needs, wired the way the agent wires the real ones, so a test states
 * only its network and what it checks. Starting a second service on the same kernel is how tests restart the
 * agent: the journal, the settings and the kernel state survive.
 */
public final class InMemoryKernel {

    public final InMemoryNetwork network;
    public final InMemoryTracker tracker = new InMemoryTracker();
    public final InMemoryGuard guard = new InMemoryGuard();
    public final InMemorySocketKiller killer = new InMemorySocketKiller(tracker);
    public final InMemorySocketOwners owners = new InMemorySocketOwners();
    public final InMemoryJournal journal = new InMemoryJournal();
    public final InMemorySettings settings = new InMemorySettings();

    public InMemoryKernel(InMemoryNetwork network) {
        this.network = network;
    }

    public KernelPorts ports() {
        return new KernelPorts(network, tracker, guard, killer, owners);
    }

    /** A started service on this kernel; every event it publishes goes to {@code events}. */
    public AddressChangeService startService(Consumer<ChangeEvent> events) {
        AddressChangeService service = new AddressChangeService(ports(), journal, settings,
                new SubscriberRegistry(journal), Clock.systemUTC());
        service.addListener(new ChangeListener() {
            @Override
            public void event(ChangeEvent event) {
                events.accept(event);
            }
        });
        service.start();
        return service;
    }
}
