package org.renumber.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code renumber subscribers}: the applications subscribed to address changes. */
@Command(name = "subscribers", mixinStandardHelpOptions = true,
        description = "List the subscribers: id, group, scope and process id when recorded.")
final class SubscribersCommand extends ClientCommand {

    @Option(names = "--json", description = "Print them as a JSON array of the agent's lines.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode subscribers = connect().read(SERVICE, "Subscribers");
        if (json) {
            out.println(subscribers);
        } else if (subscribers.isEmpty()) {
            out.println("No subscribers.");
        } else {
            subscribers.forEach(line -> out.println(line.asText()));
        }
        return 0;
    }
}
