package org.renumber.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A plan (the agent's planChange map) as the operator reads it: one labelled section per thing that would happen. */
final class PlanText {

    private static final String INDENT = "                 ";

    private final StringBuilder text = new StringBuilder();

    private PlanText() {
    }

    static String of(JsonNode plan, String changeFlags) {
        return new PlanText().render(plan, changeFlags);
    }

    private String render(JsonNode p, String changeFlags) {
        boolean migration = "MIGRATION".equals(p.path("kind").asText());
        String what = (migration ? "migrate the targets on " : "move ") + p.path("interfaceName").asText() + " from "
                + p.path("oldAddress").asText() + " to " + p.path("newAddress").asText();
        if (!p.path("valid").asBoolean()) {
            text.append("Refused: ").append(p.path("refusal").asText()).append('\n');
            text.append("Nothing was changed; a change with these arguments would be refused the same way.\n");
            return text.toString();
        }
        text.append("Plan: ").append(what).append(migration ? " (partial migration: the old address stays)" : "")
                .append('\n');
        section("new address", List.of(p.path("newAddress").asText() + ", usable " + p.path("usable").asText()));
        List<String> routes = new java.util.ArrayList<>();
        p.path("routes").forEach(r -> {
            routes.add("table " + r.path("table").asText() + ": " + r.path("before").asText());
            routes.add("         -> " + r.path("after").asText());
        });
        section("routes", routes.isEmpty() ? List.of(migration ? "none move (a migration steers nothing)"
                : "none name " + bare(p.path("oldAddress").asText()) + " as their source") : routes);
        List<String> rules = new java.util.ArrayList<>();
        p.path("rules").forEach(r -> rules.add(String.format("%-6s %s%s", r.path("action").asText(),
                r.path("rule").asText(), switch (r.path("action").asText()) {
                    case "delete" -> "   (with the old address)";
                    case "keep" -> "   (selects more than the old address: yours to change)";
                    default -> "";
                })));
        section("rules", rules.isEmpty() ? List.of("none select " + bare(p.path("oldAddress").asText())) : rules);
        List<String> subscribers = new java.util.ArrayList<>();
        p.path("subscribers").forEach(s -> subscribers.add(s.path("id").asText()
                + (s.path("group").asText().isEmpty() ? "" : " (group " + s.path("group").asText() + ")")
                + (s.path("pid").asLong() == 0 ? "" : " pid " + s.path("pid").asLong())));
        section("subscribers", subscribers.isEmpty() ? List.of("none would be told") : subscribers);
        List<String> applications = JolokiaConnection.strings(p.path("applications"));
        section("applications", applications.isEmpty() ? List.of("no legacy application would be restarted")
                : applications.stream().map(a -> a + " would be restarted").toList());
        section("guard", List.of(p.path("guardNewConnections").asBoolean()
                ? "on: new connections to the old address are refused while draining"
                : "off: new connections to the old address are accepted while draining"));
        section("force-close", List.of(p.path("forceCloseAtDeadline").asBoolean()
                ? "on: what is still on the old address at the deadline is closed"
                : "off: connections still open at the deadline are left open"));
        section("drain timeout", List.of(p.path("drainTimeoutSeconds").asLong() + " s"));
        List<String> connections = new java.util.ArrayList<>();
        p.path("connections").forEach(c -> connections.add(c.path("local").asText() + " <- "
                + c.path("remote").asText() + " " + c.path("state").asText()
                + (c.path("pid").asLong() == 0 ? "" : "  pid " + c.path("pid").asLong() + " "
                + c.path("process").asText())));
        section("connections", connections.isEmpty() ? List.of("none on " + bare(p.path("oldAddress").asText())
                + " now: the drain would end at once") : connections);
        List<String> listeners = JolokiaConnection.strings(p.path("listeners"));
        section("listeners", listeners.isEmpty() ? List.of("none") : listeners);
        List<String> holders = JolokiaConnection.strings(p.path("holders"));
        section("holders", holders.isEmpty() ? List.of("none") : holders);
        text.append("Nothing was changed. To make the change: renumber change ").append(changeFlags)
                .append(p.path("interfaceName").asText()).append(' ').append(bare(p.path("oldAddress").asText()))
                .append(' ').append(p.path("newAddress").asText()).append('\n');
        return text.toString();
    }

    private void section(String label, List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            text.append(i == 0 ? String.format("  %-15s", label + ":") : INDENT).append(lines.get(i)).append('\n');
        }
    }

    private static String bare(String addressWithPrefix) {
        int slash = addressWithPrefix.indexOf('/');
        return slash < 0 ? addressWithPrefix : addressWithPrefix.substring(0, slash);
    }
}
