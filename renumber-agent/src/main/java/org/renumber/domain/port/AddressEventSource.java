package org.renumber.domain.port;

import java.util.List;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ConfiguredAddress;

/**
 * Port: the kernel's address events in the managed namespace, pushed as they happen (no polling).
 */
public interface AddressEventSource {

    /**
     * Starts watching. {@code sink} first gets the addresses configured now, then every batch of events in the
     * order the kernel reported them, all from one thread of the source. Close the watch to stop.
     *
     * @throws RuntimeException when the kernel refuses (the sink then hears nothing)
     */
    Watch watch(Sink sink);

    interface Sink {
        /** The addresses configured when watching starts, before any event. */
        void snapshot(List<ConfiguredAddress> configured);

        /**
         * Events read from the kernel in one go. After lost events (a full receive buffer) the source compares a
         * fresh dump with what it knew and reports the difference as events, removals first.
         */
        void events(List<AddressEvent> batch);

        /**
         * The watch stopped on an error (other than lost events, which the source recovers from itself); nothing
         * follows. Watching again starts over with a fresh snapshot.
         */
        default void failed(RuntimeException cause) {
        }
    }

    interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
