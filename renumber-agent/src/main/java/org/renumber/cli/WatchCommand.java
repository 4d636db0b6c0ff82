package org.renumber.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code renumber watch}: every notification of the service (all changes), the interface monitor and the application
 * monitor as it happens, through Jolokia's notification pull mode, until Ctrl-C.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Print every notification as it happens (changes, renumberings by hand, legacy application "
                + "restarts) until Ctrl-C.")
final class WatchCommand extends ClientCommand {

    private static final List<String> SOURCES = List.of(SERVICE, "renumber:type=InterfaceMonitor",
            "renumber:type=ApplicationMonitor");
    private static final long POLL_MILLIS = 500;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Option(names = "--json", description = "One JSON object per notification, one per line.")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        JolokiaConnection agent = connect();
        String[] registration = agent.registerForNotifications();
        String client = registration[0];
        String store = registration[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                agent.unregister(client);
            } catch (CliFailure e) {
                // the agent expires clients that stop pulling
            }
        }, "renumber-watch-unregister"));
        List<String> handles = new java.util.ArrayList<>();
        for (String source : SOURCES) {
            try {
                handles.add(agent.listen(client, source));
            } catch (CliFailure e) {
                if (source.equals(SERVICE)) {
                    throw e;
                }
                // an agent without that monitor: watch the rest
            }
        }
        if (!json) {
            out.println("Watching " + agent.url() + " (Ctrl-C to stop)");
        }
        while (true) {
            for (String handle : handles) {
                agent.exec(store, "pull", client, handle).path("notifications").forEach(this::print);
            }
            out.flush();
            Thread.sleep(POLL_MILLIS);
        }
    }

    private void print(JsonNode notification) {
        if (json) {
            ObjectNode line = JSON.createObjectNode();
            line.put("type", notification.path("type").asText());
            line.put("time", Instant.ofEpochMilli(notification.path("timeStamp").asLong()).toString());
            line.put("sequence", notification.path("sequenceNumber").asLong());
            line.put("message", notification.path("message").asText());
            line.set("data", notification.path("userData"));
            out.println(line);
            return;
        }
        out.println(Instant.ofEpochMilli(notification.path("timeStamp").asLong()).atZone(ZoneId.systemDefault())
                .format(TIME) + "  " + notification.path("type").asText() + "  " + notification.path("message").asText());
    }
}
