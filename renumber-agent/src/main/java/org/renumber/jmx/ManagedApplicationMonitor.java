package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import org.renumber.application.ApplicationEvent;
import org.renumber.application.ApplicationMonitor;
import org.renumber.domain.LegacyApplication;
import org.renumber.domain.ProcessInfo;
import org.weakref.jmx.Managed;

/**
 * {@code renumber:type=ApplicationMonitor}: declare the legacy applications that cannot subscribe, so that a change
 * stops and restarts the ones holding the old address. Emits {@code renumber.application.restarted} and
 * {@code renumber.application.failed} (see {@link JmxAdapter#exportApplicationMonitor}).
 */
@MBeanDescription(description = "Legacy applications that cannot subscribe: when a change targeting their group (or "
        + "every application) starts, their processes holding the old address get SIGTERM, SIGKILL after the grace "
        + "period, and are restarted; emits renumber.application.restarted / renumber.application.failed")
public final class ManagedApplicationMonitor {

    private final ApplicationMonitor monitor;

    public ManagedApplicationMonitor(ApplicationMonitor monitor) {
        this.monitor = requireNonNull(monitor, "monitor");
    }

    @Managed(description = "Declares a legacy application (persisted). Returns its description. The restart command "
            + "runs as root with sh -c inside the managed network namespace, with RENUMBER_OLD_ADDRESS, "
            + "RENUMBER_NEW_ADDRESS, RENUMBER_NEW_PREFIX, RENUMBER_INTERFACE, RENUMBER_CHANGE_ID and "
            + "RENUMBER_APPLICATION in its environment; its output goes to <state-dir>/applications/<name>.log")
    public String declareApplication(
            @Param(description = "unique name: 1-64 letters, digits, '.', '_', '@' or '-'") String name,
            @Param(description = "group the application belongs to, targeted with group:NAME in changeAddress; "
                    + "empty for none (then only changes with empty targets concern it)") String group,
            @Param(description = "Java regular expression searched in each process's command line (arguments "
                    + "joined with spaces), e.g. 'python3 -m http.server 8080'") String processPattern,
            @Param(description = "shell command that starts the application again, e.g. 'exec myserver --bind "
                    + "$RENUMBER_NEW_ADDRESS'; empty when a supervisor such as systemd restarts it") String restartCommand,
            @Param(description = "seconds a process may take to exit after SIGTERM before SIGKILL (0 to 3600)")
            long graceSeconds,
            @Param(description = "seconds a new process matching processPattern may take to appear once the old "
                    + "ones are gone, before renumber.application.failed (1 to 3600); allow for a supervisor's "
                    + "restart delay or a restart command that waits before it starts the server")
            long startupSeconds) {
        return monitor.declare(name, group, processPattern, restartCommand, graceSeconds, startupSeconds)
                .describe();
    }

    @Managed(description = "Removes a declared application; its processes are not touched")
    public void removeApplication(@Param(description = "name given to declareApplication") String name) {
        monitor.remove(TextArguments.stripped(name));
    }

    @Managed(description = "The processes an application's pattern matches now, one line each: pid and command line")
    public String[] matchingProcesses(@Param(description = "name given to declareApplication") String name) {
        return monitor.processes(TextArguments.stripped(name)).stream().map(ProcessInfo::describe)
                .toArray(String[]::new);
    }

    @Managed(description = "Declared applications, one line each: name, group, pattern, restart command, grace "
            + "period, startup time")
    public String[] getApplications() {
        return monitor.applications().stream().map(LegacyApplication::describe).toArray(String[]::new);
    }

    @Managed(description = "Number of declared applications")
    public int getApplicationCount() {
        return monitor.applications().size();
    }

    @Managed(description = "What the monitor did lately, most recent first, one line each: outcome, application, "
            + "change, stopped, killed and new process ids, message")
    public String[] getRecentEvents() {
        return monitor.recentEvents().stream().map(ApplicationEvent::describe).toArray(String[]::new);
    }
}
