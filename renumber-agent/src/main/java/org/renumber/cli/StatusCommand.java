package org.renumber.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code renumber status [CHANGE_ID]}: one change in detail, or the changes running now and the settings. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Without an id: the changes running now and the service settings. With a change id: that "
                + "change (running or among the recent ones).",
                "Exit status with an id: 0 COMPLETED or still running, 3 TIMED_OUT, 4 FAILED, 5 CANCELLED, 2 unknown id."})
final class StatusCommand extends ClientCommand {

    private static final List<String> FIELDS = List.of("Id", "State", "Kind", "InterfaceName", "OldAddress",
            "NewAddress", "Targets", "Subscribers", "RemainingConnections", "Holders", "Listeners", "RequestedAt",
            "StartedAt", "Deadline", "FinishedAt", "Outcome", "Error", "GuardApplied", "ForceClosed");

    @Parameters(index = "0", arity = "0..1", paramLabel = "CHANGE_ID", description = "A change id, e.g. chg-1dcd0ee0.")
    String changeId;

    @Option(names = "--json", description = "Print the agent's attributes as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        JolokiaConnection agent = connect();
        if (changeId == null) {
            JsonNode service = agent.read(SERVICE);
            if (json) {
                out.println(service);
                return 0;
            }
            List<String> active = JolokiaConnection.strings(service.path("ActiveChanges"));
            out.println(active.isEmpty() ? "No change is running." : "Running:");
            active.forEach(line -> out.println("  " + line));
            out.println("Settings: GuardNewConnections=" + service.path("GuardNewConnections").asBoolean()
                    + " ForceCloseAtDeadline=" + service.path("ForceCloseAtDeadline").asBoolean()
                    + " HookTimeoutSeconds=" + service.path("HookTimeoutSeconds").asLong()
                    + "; " + service.path("SubscriberCount").asInt() + " subscriber(s)");
            return 0;
        }
        String id = requireChangeId(changeId);
        JsonNode change;
        try {
            change = agent.read(changeMBean(id));
        } catch (CliFailure e) {
            if (e.exitCode() == CliFailure.REFUSED) {
                throw new CliFailure(CliFailure.REFUSED, "No change " + id + " on this agent (it keeps the last 50): "
                        + "see renumber history.");
            }
            throw e;
        }
        if (json) {
            out.println(change);
        } else {
            for (String field : FIELDS) {
                JsonNode value = change.path(field);
                String text = value.isArray() ? String.join(", ", JolokiaConnection.strings(value)) : value.asText();
                if (!text.isEmpty()) {
                    out.printf("  %-21s %s%n", field + ":", text);
                }
            }
        }
        return ChangeFollower.EXIT_CODES.getOrDefault(change.path("State").asText(), 0);
    }
}
