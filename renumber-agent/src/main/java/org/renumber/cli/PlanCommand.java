package org.renumber.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code renumber plan}: the dry run (the agent's planChange / planMigration), printed for people or as JSON. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Show what a change would do, changing nothing: validates exactly as the change would and lists "
                + "the address to add and when it is usable, the routes and policy rules that would move, the "
                + "subscribers told, the guard and force-close settings, the connections on the old address with "
                + "the processes holding them, or why the change would be refused.",
                "Exit status: 0 the change would be accepted, 2 it would be refused, 1 agent unreachable."})
final class PlanCommand extends ClientCommand {

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

    @Option(names = "--drain-timeout", paramLabel = "S", defaultValue = "" + ChangeCommand.DEFAULT_DRAIN_SECONDS,
            description = "Drain timeout in seconds. Default: ${DEFAULT-VALUE}.")
    long drainTimeoutSeconds;

    @Option(names = "--migrate", description = "Plan a partial migration (only the targets move; the old address "
            + "stays).")
    boolean migrate;

    @Option(names = "--json", description = "Print the agent's plan as one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        JsonNode plan = connect().exec(SERVICE, migrate ? "planMigration" : "planChange", interfaceName, oldAddress,
                newAddress, targets, drainTimeoutSeconds);
        if (json) {
            out.println(plan.toString());
        } else {
            out.print(PlanText.of(plan, (migrate ? "--migrate " : "")
                    + (targets.isBlank() ? "" : "--targets " + targets.strip() + " ")
                    + (drainTimeoutSeconds == ChangeCommand.DEFAULT_DRAIN_SECONDS ? ""
                    : "--drain-timeout " + drainTimeoutSeconds + " ")));
        }
        return plan.path("valid").asBoolean() ? 0 : CliFailure.REFUSED;
    }
}
