package org.renumber.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code renumber change}: requests a change and, unless {@code --no-wait}, follows it to its end. */
@Command(name = "change", mixinStandardHelpOptions = true,
        description = {"Move an interface from one address to another without breaking its services, and follow the "
                + "change live: one line per state, and while draining the connections left on the old address, "
                + "the processes holding them and the time to the deadline. Ctrl-C asks whether to cancel the change "
                + "or only stop watching.",
                "Exit status: 0 COMPLETED, 3 TIMED_OUT, 4 FAILED, 5 CANCELLED, 2 refused (nothing changed), 1 agent "
                        + "unreachable or login refused; with --no-wait 0 once the change is accepted."})
final class ChangeCommand extends ClientCommand {

    static final long DEFAULT_DRAIN_SECONDS = 300;

    @Parameters(index = "0", paramLabel = "IFACE", description = "Interface, e.g. eth0.")
    String interfaceName;

    @Parameters(index = "1", paramLabel = "OLD", description = "Address to replace, e.g. 10.9.0.1.")
    String oldAddress;

    @Parameters(index = "2", paramLabel = "NEW", description = "Address to move to, ADDR/PREFIX (e.g. 10.9.1.1/24).")
    String newAddress;

    @Option(names = "--targets", paramLabel = "T", defaultValue = "",
            description = "Subscriber ids and group:NAME entries, comma separated. Default: every subscriber whose "
                    + "scope covers the old address.")
    String targets;

    @Option(names = "--drain-timeout", paramLabel = "S", defaultValue = "" + DEFAULT_DRAIN_SECONDS,
            description = "How long to wait for the connections on the old address to close, in seconds. "
                    + "Default: ${DEFAULT-VALUE}.")
    long drainTimeoutSeconds;

    @Option(names = "--warning", paramLabel = "S",
            description = "Warn the targets S seconds ahead (a scheduled change); it starts earlier when all are "
                    + "ready.")
    Long warningSeconds;

    @Option(names = "--migrate", description = "Partial migration: only the targets move; the old address stays.")
    boolean migrate;

    @Option(names = "--no-wait", description = "Print the change id and return at once.")
    boolean noWait;

    @Option(names = "--json", description = "One JSON object per line: each state and each progress update.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JolokiaConnection agent = connect();
        String id = (warningSeconds == null
                ? agent.exec(SERVICE, migrate ? "migrateSubscribers" : "changeAddress", interfaceName, oldAddress,
                        newAddress, targets, drainTimeoutSeconds)
                : agent.exec(SERVICE, migrate ? "scheduleMigration" : "scheduleChange", interfaceName, oldAddress,
                        newAddress, targets, drainTimeoutSeconds, warningSeconds)).asText();
        if (noWait) {
            out.println(json ? "{\"changeId\":\"" + id + "\"}" : id);
            return 0;
        }
        return new ChangeFollower(agent, id, out, System.console(), json).follow();
    }
}
