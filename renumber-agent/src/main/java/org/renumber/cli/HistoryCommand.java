package org.renumber.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code renumber history}: the recent changes, most recent first. */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "List the last changes (up to 50), most recent first: id, interface, old -> new, final state, "
                + "outcome, error.")
final class HistoryCommand extends ClientCommand {

    @Option(names = "--json", description = "Print them as a JSON array of the agent's lines.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode recent = connect().read(SERVICE, "RecentChanges");
        if (json) {
            out.println(recent);
        } else if (recent.isEmpty()) {
            out.println("No change yet.");
        } else {
            recent.forEach(line -> out.println(line.asText()));
        }
        return 0;
    }
}
