package org.renumber.monitor;

import java.time.Instant;

/**
 * The address events arrive again: the end of an outage.
 *
 * @param failedAt    when they had stopped
 * @param recoveredAt when a reopen succeeded
 * @param attempts    the reopens it took, the successful one included
 */
public record MonitorRecovery(Instant failedAt, Instant recoveredAt, int attempts) {
}
