package org.renumber.monitor;

import java.time.Duration;
import java.time.Instant;

/**
 * The address events stopped on an error: the start of an outage.
 *
 * @param reason   what failed, as the source said
 * @param failedAt when the monitor learned of it
 * @param retryIn  when it first tries to reopen them
 */
public record MonitorFailure(String reason, Instant failedAt, Duration retryIn) {
}
