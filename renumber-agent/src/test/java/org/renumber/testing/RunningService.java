package org.renumber.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeState;
import org.renumber.domain.EventType;
import org.renumber.service.AddressChangeService;

/**
 * A service test's fixture: the service on an in-memory kernel, with every event it publishes kept. {@link #start}
 * again is the agent's restart (the journal, settings and kernel state survive); {@link #close} stops the last one.
 */
public final class RunningService implements AutoCloseable {

    public final InMemoryKernel kernel;
    public final InMemoryNetwork network;
    public final InMemoryTracker tracker;
    public final InMemoryJournal journal;
    public final List<ChangeEvent> events = new CopyOnWriteArrayList<>();
    private AddressChangeService service;

    public RunningService(InMemoryNetwork network) {
        this.kernel = new InMemoryKernel(network);
        this.network = network;
        this.tracker = kernel.tracker;
        this.journal = kernel.journal;
    }

    /** A started service on the kernel; the one before it, if any, should be closed first. */
    public AddressChangeService start() {
        service = kernel.startService(events::add);
        return service;
    }

    /** The state of change {@code id} as the last started service knows it. */
    public ChangeState state(String id) {
        return service.change(id).orElseThrow().progress().state();
    }

    /** The types of the events published so far, in order. */
    public List<EventType> types() {
        return events.stream().map(ChangeEvent::type).toList();
    }

    @Override
    public void close() {
        if (service != null) {
            service.close();
        }
    }
}
