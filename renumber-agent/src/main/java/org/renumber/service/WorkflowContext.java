package org.renumber.service;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import org.renumber.domain.port.ChangeJournal;
import org.renumber.domain.port.KernelPorts;
import org.renumber.domain.port.ServiceSettingsStore;

/**
 * What every change's workflow shares: the kernel, the journal, the operator settings, the subscribers (a
 * migration follows the sockets of their processes), time, and the hook asked before a change starts.
 */
record WorkflowContext(KernelPorts kernel, ChangeJournal journal, ServiceSettingsStore settings,
                       SubscriberRegistry subscribers, ScheduledExecutorService timers, Clock clock,
                       PreStartHook preStart) {

    WorkflowContext {
        requireNonNull(kernel, "kernel");
        requireNonNull(journal, "journal");
        requireNonNull(settings, "settings");
        requireNonNull(subscribers, "subscribers");
        requireNonNull(timers, "timers");
        requireNonNull(clock, "clock");
        requireNonNull(preStart, "preStart");
    }
}
