package org.renumber.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Console;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Follows one change until it ends: hears its events through {@link ChangeEvents} (Jolokia's notification pull
 * mode) and reads its {@code renumber:type=AddressChange,id=ID} MBean when one arrives: one line per state; while draining, the {@link DrainProgress}, redrawn in place on a terminal and printed as a
 * plain line whenever it changes when the output is piped. Ctrl-C asks (on a terminal) whether to cancel the change or
 * only stop watching; piped, it stops watching.
 */
final class ChangeFollower {

    /** Exit status per final state, a contract with scripts. */
    static final Map<String, Integer> EXIT_CODES = Map.of("COMPLETED", 0, "TIMED_OUT", 3, "FAILED", 4,
            "CANCELLED", 5);
    static final int DETACHED = 130;
    /** How often the agent's notification store is pulled: a pull is answered from memory, and cheap. */
    private static final long PULL_MILLIS = 200;
    private static final long REDRAW_MILLIS = 1_000;
    private static final long SAFETY_NET_MILLIS = 2_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final JolokiaConnection agent;
    private final String id;
    private final PrintStream out;
    private final Console console;
    private final boolean json;
    private final DrainProgress progress = new DrainProgress();
    private volatile boolean interrupted;
    private int drawnLines;
    private String lastProgress = "";

    ChangeFollower(JolokiaConnection agent, String id, PrintStream out, Console console, boolean json) {
        this.agent = agent;
        this.id = id;
        this.out = out;
        this.console = console;
        this.json = json;
    }

    /**
     * Follows the change to its end; returns the exit status of its final state, or {@link #DETACHED}. Listens before
     * the first read, so nothing that happens after that read goes unheard; unregisters when done, Ctrl-C included.
     */
    int follow() throws InterruptedException {
        installCtrlC();
        try (ChangeEvents events = ChangeEvents.listen(agent, id)) {
            return follow(events);
        }
    }

    private int follow(ChangeEvents listening) throws InterruptedException {
        ChangeEvents events = listening;
        String state = "";
        JsonNode change = agent.read(ClientCommand.changeMBean(id));
        if (!json) {
            out.println("change " + id + ": " + change.path("InterfaceName").asText() + " "
                    + change.path("OldAddress").asText() + " -> " + change.path("NewAddress").asText());
        }
        while (true) {
            String now = change.path("State").asText();
            if (!now.equals(state)) {
                state = now;
                stateLine(change);
            }
            if (EXIT_CODES.containsKey(state)) {
                return EXIT_CODES.get(state);
            }
            if ("DRAINING".equals(state)) {
                drawProgress(change);
            }
            if (interrupted) {
                interrupted = false;
                if (!askToCancel()) {
                    erase();
                    message("Stopped watching; change " + id + " goes on. Follow it with: renumber status " + id);
                    return DETACHED;
                }
            }
            events = awaitNews(events, "DRAINING".equals(state));
            change = agent.read(ClientCommand.changeMBean(id));
        }
    }

    /**
     * Waits until the agent notifies an event of this change, or Ctrl-C. While draining, at most a second: the
     * agent sends no notification per closed connection, and the countdown moves. Without notifications (the
     * pull failed), the safety net: the next read after {@link #SAFETY_NET_MILLIS}. Returns the events to use next.
     */
    private ChangeEvents awaitNews(ChangeEvents events, boolean draining) throws InterruptedException {
        long start = System.nanoTime();
        long limit = draining ? REDRAW_MILLIS : events == null ? SAFETY_NET_MILLIS : Long.MAX_VALUE;
        while (!interrupted && (System.nanoTime() - start) / 1_000_000 < limit) {
            if (events != null) {
                try {
                    if (events.pull()) {
                        return events;
                    }
                } catch (CliFailure e) {
                    // the agent lost the client (restarted, or expired it): follow by reading, slowly
                    events.close();
                    return null;
                }
            }
            Thread.sleep(Math.min(PULL_MILLIS, limit));
        }
        return events;
    }

    private void stateLine(JsonNode change) {
        String state = change.path("State").asText();
        if (json) {
            ObjectNode line = event(change, "state");
            out.println(line);
            return;
        }
        erase();
        String detail = switch (state) {
            case "WARNING" -> "targets warned; starts by " + local(change.path("WarningEnd").asText())
                    + " or when all are ready";
            case "ADDING" -> "adding " + change.path("NewAddress").asText() + " and steering new connections to it";
            case "DRAINING" -> "waiting for the connections on " + change.path("OldAddress").asText()
                    + " to close; drain timeout " + change.path("DrainTimeoutSeconds").asLong() + " s";
            case "REMOVING" -> change.path("OldAddressKept").asBoolean() ? "finishing; "
                    + change.path("OldAddress").asText() + " stays" : "removing " + change.path("OldAddress").asText();
            default -> EXIT_CODES.containsKey(state) ? "outcome " + change.path("Outcome").asText()
                    + (change.path("Error").asText().isEmpty() ? "" : ": " + change.path("Error").asText()) : "";
        };
        out.println(LocalTime.now().format(TIME) + "  " + String.format("%-10s", state) + " " + detail);
        out.flush();
    }

    private void drawProgress(JsonNode change) {
        int remaining = change.path("RemainingConnections").asInt();
        List<String> holders = JolokiaConnection.strings(change.path("Holders"));
        String deadlineText = change.path("Deadline").asText();
        Instant deadline = deadlineText.isEmpty() ? null : Instant.parse(deadlineText);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<String> lines = progress.lines(remaining, holders, deadline, now);
        if (json) {
            String key = remaining + " " + holders;
            if (!key.equals(lastProgress)) {
                lastProgress = key;
                ObjectNode line = event(change, "progress");
                line.put("initialConnections", progress.initial());
                line.set("holders", JSON.valueToTree(holders));
                out.println(line);
            }
            return;
        }
        if (console == null) {
            // One read of all attributes is not atomic: the deadline may show up one read after DRAINING.
            String key = remaining + " " + DrainProgress.topHolders(holders) + " " + (deadline == null);
            if (!key.equals(lastProgress)) {
                lastProgress = key;
                out.println(String.join("\n", lines));
                out.flush();
            }
            return;
        }
        erase();
        lines.forEach(out::println);
        drawnLines = lines.size();
        out.flush();
    }

    /** Removes the progress block drawn on the terminal, so the next line takes its place. */
    private void erase() {
        if (drawnLines > 0) {
            out.print("\033[" + drawnLines + "A\033[J");
            drawnLines = 0;
        }
    }

    private ObjectNode event(JsonNode change, String kind) {
        ObjectNode line = JSON.createObjectNode();
        line.put("event", kind);
        line.put("time", Instant.now().toString());
        line.put("changeId", id);
        line.put("state", change.path("State").asText());
        line.put("interfaceName", change.path("InterfaceName").asText());
        line.put("oldAddress", change.path("OldAddress").asText());
        line.put("newAddress", change.path("NewAddress").asText());
        line.put("remainingConnections", change.path("RemainingConnections").asInt());
        line.put("deadline", change.path("Deadline").asText());
        line.put("outcome", change.path("Outcome").asText());
        line.put("error", change.path("Error").asText());
        return line;
    }

    /** Ctrl-C (SIGINT) only sets a flag: the follow loop asks the question on its own thread. */
    @SuppressWarnings("removal")
    private void installCtrlC() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> interrupted = true);
        } catch (IllegalArgumentException e) {
            // no SIGINT here: Ctrl-C then ends the command as usual, leaving the change running
        }
    }

    /** Whether the operator chose to cancel; on a terminal asks, piped there is nobody to ask: stop watching. */
    private boolean askToCancel() {
        if (console == null || json) {
            return false;
        }
        erase();
        String answer = console.readLine("%nCtrl-C: cancel change %s (c), or stop watching and let it run (w)? [c/w] ",
                id);
        if (answer == null || !answer.strip().toLowerCase().startsWith("c")) {
            return false;
        }
        try {
            agent.exec(ClientCommand.SERVICE, "cancelChange", id);
            out.println("cancel requested");
        } catch (CliFailure e) {
            out.println("could not cancel: " + e.getMessage());
        }
        return true;
    }

    private void message(String text) {
        if (json) {
            ObjectNode line = JSON.createObjectNode();
            line.put("event", "detached");
            line.put("changeId", id);
            out.println(line);
        } else {
            out.println(text);
        }
    }

    private static String local(String iso) {
        if (iso == null || iso.isEmpty()) {
            return "(not set)";
        }
        return Instant.parse(iso).atZone(ZoneId.systemDefault()).toLocalTime().truncatedTo(ChronoUnit.SECONDS)
                .format(TIME);
    }
}
