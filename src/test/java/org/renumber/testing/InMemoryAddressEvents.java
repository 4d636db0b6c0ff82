package org.renumber.testing;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.renumber.domain.InterfaceAddress;
import org.renumber.monitor.AddressEvent;
import org.renumber.monitor.AddressEventSource;
import org.renumber.monitor.ConfiguredAddress;

/**
 * An address event source for unit tests that keeps an {@link InMemoryNetwork} in step: {@link #add} and
 * {@link #remove} change the network as {@code ip addr} would and report the event, as the kernel would.
 */
public final class InMemoryAddressEvents implements AddressEventSource {

    private final InMemoryNetwork network;
    private final Clock clock;
    private final AtomicInteger watchesOpened = new AtomicInteger();
    private volatile Sink sink;

    public InMemoryAddressEvents(InMemoryNetwork network, Clock clock) {
        this.network = network;
        this.clock = clock;
    }

    @Override
    public Watch watch(Sink newSink) {
        watchesOpened.incrementAndGet();
        sink = newSink;
        List<ConfiguredAddress> configured = new ArrayList<>();
        network.interfaces().forEach(nic -> nic.addresses().forEach(
                a -> configured.add(new ConfiguredAddress(nic.name(), a, nic.name(), false))));
        newSink.snapshot(configured);
        return () -> {
            if (sink == newSink) {
                sink = null;
            }
        };
    }

    public boolean isWatched() {
        return sink != null;
    }

    public int watchesOpened() {
        return watchesOpened.get();
    }

    /** {@code ip addr add ADDRESS dev INTERFACE label LABEL}. */
    public void add(String interfaceName, String address, String label) {
        InterfaceAddress a = InterfaceAddress.parse(address);
        network.addAddress(interfaceName, a);
        emit(AddressEvent.added(new ConfiguredAddress(interfaceName, a, label, false), clock.instant()));
    }

    /** {@code ip addr del ADDRESS dev INTERFACE}. */
    public void remove(String interfaceName, String address) {
        InterfaceAddress a = InterfaceAddress.parse(address);
        network.removeAddress(interfaceName, a);
        emit(AddressEvent.removed(new ConfiguredAddress(interfaceName, a, interfaceName, false), clock.instant()));
    }

    public void emit(AddressEvent... events) {
        Sink current = sink;
        if (current != null) {
            current.events(List.of(events));
        }
    }
}
