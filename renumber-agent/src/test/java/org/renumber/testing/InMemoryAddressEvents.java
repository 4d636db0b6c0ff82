package org.renumber.testing;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.port.AddressEventSource;

/**
 * An address event source for unit tests that keeps an {@link InMemoryNetwork} in step: {@link #add} and
 * {@link #remove} change the network as {@code ip addr} would and report the event, as the kernel would.
 * {@link #failWatch} stops the current watch as a reader error does, and {@link #refuseWatches} makes opening one
 * fail until {@link #acceptWatches}.
 */
public final class InMemoryAddressEvents implements AddressEventSource {

    private final InMemoryNetwork network;
    private final Clock clock;
    private final AtomicInteger watchesOpened = new AtomicInteger();
    /** Labels given with {@link #add}, by interface and address, so a snapshot shows aliases as the kernel does. */
    private final Map<String, String> labels = new ConcurrentHashMap<>();
    private volatile Sink sink;
    private volatile RuntimeException refusal;

    public InMemoryAddressEvents(InMemoryNetwork network, Clock clock) {
        this.network = network;
        this.clock = clock;
    }

    @Override
    public Watch watch(Sink newSink) {
        watchesOpened.incrementAndGet();
        RuntimeException refused = refusal;
        if (refused != null) {
            throw refused;
        }
        sink = newSink;
        List<ConfiguredAddress> configured = new ArrayList<>();
        network.interfaces().forEach(nic -> nic.addresses().forEach(a -> configured.add(
                new ConfiguredAddress(nic.name(), a, labels.getOrDefault(nic.name() + " " + a, nic.name()), false))));
        newSink.snapshot(configured);
        return () -> {
            if (sink == newSink) {
                sink = null;
            }
        };
    }

    @Override
    public String toString() {
        return "in-memory address events";
    }

    public boolean isWatched() {
        return sink != null;
    }

    /** Every call of {@link #watch}, refused ones included. */
    public int watchesOpened() {
        return watchesOpened.get();
    }

    /** The current watch stops with {@code cause}, as a reader does on a socket error; nothing follows. */
    public void failWatch(RuntimeException cause) {
        Sink current = sink;
        sink = null;
        if (current != null) {
            current.failed(cause);
        }
    }

    /** Opening a watch throws {@code cause} from now on, as when the kernel refuses a socket. */
    public void refuseWatches(RuntimeException cause) {
        refusal = cause;
    }

    public void acceptWatches() {
        refusal = null;
    }

    /** {@code ip addr add ADDRESS dev INTERFACE label LABEL}. */
    public void add(String interfaceName, String address, String label) {
        InterfaceAddress a = InterfaceAddress.parse(address);
        network.addAddress(interfaceName, a);
        labels.put(interfaceName + " " + a, label);
        emit(AddressEvent.added(new ConfiguredAddress(interfaceName, a, label, false), clock.instant()));
    }

    /** {@code ip addr del ADDRESS dev INTERFACE}. */
    public void remove(String interfaceName, String address) {
        InterfaceAddress a = InterfaceAddress.parse(address);
        network.removeAddress(interfaceName, a);
        String label = labels.remove(interfaceName + " " + a);
        emit(AddressEvent.removed(new ConfiguredAddress(interfaceName, a, label, false), clock.instant()));
    }

    public void emit(AddressEvent... events) {
        Sink current = sink;
        if (current != null) {
            current.events(List.of(events));
        }
    }
}
