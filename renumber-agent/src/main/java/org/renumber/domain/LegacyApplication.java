package org.renumber.domain;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An application the agent restarts for a change because it cannot subscribe.
 *
 * @param name           unique name, also what the notifications name
 * @param group          group it belongs to, targeted with {@code group:NAME} like subscribers; empty for none
 * @param processPattern Java regular expression searched in each process's command line (arguments joined with
 *                       single spaces): the application's processes
 * @param restartCommand shell command ({@code sh -c}) that starts the application again inside the managed network
 *                       namespace; empty when a supervisor (systemd, ...) restarts it by itself
 * @param graceSeconds   how long a process may take to exit after SIGTERM before it gets SIGKILL
 * @param startupSeconds how long after the old processes are gone a new process matching the pattern must appear
 *                       before the restart is reported failed
 */
public record LegacyApplication(String name, String group, String processPattern, String restartCommand,
                                long graceSeconds, long startupSeconds) {

    /** Same rule as subscriber ids and groups: safe in an ObjectName, a targets list and a file name. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    /** Longest grace period: an hour. A legacy server that needs longer to stop is better killed. */
    public static final long MAX_GRACE_SECONDS = 3600;
    /**
     * Longest startup time: an hour. A supervisor's restart delay or a restart command that waits for something can
     * take minutes; a restart that has not happened after an hour is better reported failed.
     */
    public static final long MAX_STARTUP_SECONDS = 3600;
    private static final String GROUP_PREFIX = "group:";

    public LegacyApplication {
        requireNonNull(name, "name");
        name = name.strip();
        group = group == null ? "" : group.strip();
        processPattern = requireNonNull(processPattern, "processPattern").strip();
        restartCommand = restartCommand == null ? "" : restartCommand.strip();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("application name '" + name
                    + "' is invalid: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
        }
        if (!group.isEmpty() && !NAME.matcher(group).matches()) {
            throw new IllegalArgumentException("group '" + group
                    + "' is invalid: use 1-64 letters, digits, '.', '_', '@' or '-', or leave it empty");
        }
        if (processPattern.isEmpty()) {
            throw new IllegalArgumentException("processPattern is required: a regular expression that matches the "
                    + "application's command line, e.g. 'python3 -m http.server'");
        }
        try {
            Pattern.compile(processPattern);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("processPattern '" + processPattern + "' is not a valid regular "
                    + "expression: " + e.getDescription(), e);
        }
        if (graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
            throw new IllegalArgumentException("graceSeconds " + graceSeconds + " is out of range: use 0 to "
                    + MAX_GRACE_SECONDS);
        }
        if (startupSeconds < 1 || startupSeconds > MAX_STARTUP_SECONDS) {
            throw new IllegalArgumentException("startupSeconds " + startupSeconds + " is out of range: use 1 to "
                    + MAX_STARTUP_SECONDS);
        }
    }

    public Pattern pattern() {
        return Pattern.compile(processPattern);
    }

    /** Whether a supervisor restarts the application (no restart command). */
    public boolean restartedBySupervisor() {
        return restartCommand.isEmpty();
    }

    /**
     * Whether a change with this {@code targets} expression concerns the application: an empty expression targets
     * every application, otherwise {@code group:NAME} entries must name its group. Subscriber ids in the list do
     * not name legacy applications.
     */
    public boolean targetedBy(String targets) {
        if (targets == null || targets.isBlank()) {
            return true;
        }
        return !group.isEmpty() && Arrays.stream(targets.split(","))
                .map(String::strip)
                .filter(entry -> entry.startsWith(GROUP_PREFIX))
                .map(entry -> entry.substring(GROUP_PREFIX.length()).strip())
                .anyMatch(group::equals);
    }

    /** One readable line: {@code web-legacy group=web pattern=... restart=... grace=10s startup=60s}. */
    public String describe() {
        return name + " group=" + (group.isEmpty() ? "(none)" : group) + " pattern=" + processPattern
                + " restart=" + (restartCommand.isEmpty() ? "(by its supervisor)" : restartCommand)
                + " grace=" + graceSeconds + "s startup=" + startupSeconds + "s";
    }
}
