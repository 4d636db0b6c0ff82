package org.renumber.monitor;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.renumber.domain.MonitorSettings;
import org.renumber.domain.port.AddressChanges;
import org.renumber.monitor.InterfaceMonitor.Listener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the interface monitor makes of a finding: a renumbering by hand is handed to the service as a detected
 * change, an address lost under live connections is reported; each is logged, kept as a readable line (the last
 * {@value #HISTORY_SIZE}) and told to the listeners.
 */
final class FindingReports {

    static final int HISTORY_SIZE = 50;
    private static final Logger log = LoggerFactory.getLogger(InterfaceMonitor.class);

    private final AddressChanges service;
    private final Supplier<MonitorSettings> settings;
    private final Clock clock;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Deque<String> recent = new ArrayDeque<>();

    FindingReports(AddressChanges service, Supplier<MonitorSettings> settings, Clock clock) {
        this.service = requireNonNull(service, "service");
        this.settings = requireNonNull(settings, "settings");
        this.clock = requireNonNull(clock, "clock");
    }

    void addListener(Listener listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    /** Detections and losses, most recent first, one readable line each. */
    synchronized List<String> recent() {
        return List.copyOf(recent);
    }

    /** Acts on one finding; a failure is logged, so the findings after it are still acted on. */
    void act(Finding finding) {
        try {
            if (finding instanceof Renumbering renumbering) {
                adopt(renumbering);
            } else if (finding instanceof AddressLoss loss) {
                report(loss);
            }
        } catch (RuntimeException e) {
            log.error("interface monitor could not act on {}", finding, e);
        }
    }

    private void adopt(Renumbering r) {
        MonitorSettings now = settings.get();
        Instant detectedAt = clock.instant();
        String changeId = null;
        String error = null;
        try {
            changeId = service.adoptManualChange(r.interfaceName(), r.oldAddress().address(),
                    r.newAddress().address(), now.drainTimeoutSeconds(), now.autoRemoveAlias());
            log.info("renumbering by hand detected on {}: {} -> {}, old address now {}; change {} (detected {} ms after "
                            + "the completing event, journaled in {} ms)", r.interfaceName(), r.oldAddress().address(),
                    r.newAddress().address(), r.oldAddress().describe(), changeId,
                    Duration.between(r.completedAt(), detectedAt).toMillis(),
                    Duration.between(detectedAt, clock.instant()).toMillis());
            remember(r.completedAt() + " " + r.interfaceName() + ": " + r.oldAddress().address() + " -> "
                    + r.newAddress().describe() + ", old address kept as " + r.oldAddress().describe() + "; change "
                    + changeId);
        } catch (RuntimeException e) {
            error = e.getMessage();
            log.warn("renumbering by hand detected on {} ({} -> {}) but no change could follow it: {}",
                    r.interfaceName(), r.oldAddress().address(), r.newAddress().address(), error);
            remember(r.completedAt() + " " + r.interfaceName() + ": " + r.oldAddress().address() + " -> "
                    + r.newAddress().describe() + " detected, not followed: " + error);
        }
        DetectedChange detected = new DetectedChange(r, changeId, error);
        notifyListeners("a detection", listener -> listener.renumberingDetected(detected));
    }

    private void report(AddressLoss loss) {
        log.warn("address {} was removed from {} by hand at {} and not configured again within {} ms: {} "
                        + "connection(s) using it broke", loss.address().describe(), loss.interfaceName(),
                loss.removedAt(), settings.get().windowMillis(), loss.connections());
        remember(loss.removedAt() + " " + loss.interfaceName() + ": " + loss.address().describe()
                + " removed and lost; " + loss.connections() + " connection(s) broke");
        notifyListeners("an address loss", listener -> listener.addressLost(loss));
    }

    void notifyListeners(String what, Consumer<Listener> call) {
        for (Listener listener : listeners) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                log.warn("interface monitor listener failed on {}", what, e);
            }
        }
    }

    private synchronized void remember(String line) {
        recent.addFirst(line);
        while (recent.size() > HISTORY_SIZE) {
            recent.removeLast();
        }
    }
}
