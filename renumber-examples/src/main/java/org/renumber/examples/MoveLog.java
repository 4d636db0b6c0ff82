package org.renumber.examples;

import java.util.function.Supplier;
import org.renumber.client.AddressChangeEvent;
import org.renumber.client.AddressChangeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs each event of a move and where the service listens afterwards; runs after the rebinder. */
final class MoveLog implements AddressChangeHandler {

    private static final Logger log = LoggerFactory.getLogger(MoveLog.class);

    private final Supplier<String> listening;

    /** @param listening where the service listens now, e.g. {@code 10.77.0.9:8080} */
    MoveLog(Supplier<String> listening) {
        this.listening = listening;
    }

    @Override
    public void started(AddressChangeEvent event) {
        log.info("change {} started: {} -> {}; listening on {}", event.changeId(), event.oldAddress(),
                event.newAddress(), listening());
    }

    @Override
    public void drained(AddressChangeEvent event) {
        log.info("change {} drained: no connection left on {}", event.changeId(), event.oldAddress());
    }

    @Override
    public void completed(AddressChangeEvent event) {
        log.info("change {} completed ({}); listening on {}", event.changeId(), event.outcome(), listening());
    }

    @Override
    public void timedOut(AddressChangeEvent event) {
        log.warn("change {} timed out with {} connection(s) on {}", event.changeId(), event.remainingConnections(),
                event.oldAddress());
    }

    @Override
    public void cancelled(AddressChangeEvent event) {
        log.info("change {} cancelled; listening on {}", event.changeId(), listening());
    }

    @Override
    public void failed(AddressChangeEvent event) {
        log.warn("change {} failed ({}); listening on {}", event.changeId(), event.error(), listening());
    }

    private String listening() {
        return listening.get();
    }
}
