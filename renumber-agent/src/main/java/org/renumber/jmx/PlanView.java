package org.renumber.jmx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.renumber.service.ChangePlan;

/**
 * A {@link ChangePlan} as JDK types only (maps, lists, strings, numbers, booleans), so that a JMX client without
 * Renumber's classes can read it and Jolokia serialises it as one JSON object. The keys are a contract shared with
 * the {@code renumber} command, the fleet tooling and the browser console.
 */
final class PlanView {

    private PlanView() {
    }

    static Map<String, Object> of(ChangePlan plan) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("valid", plan.valid());
        map.put("refusal", plan.refusal());
        map.put("kind", plan.kind());
        map.put("interfaceName", plan.interfaceName());
        map.put("oldAddress", plan.oldAddress());
        map.put("newAddress", plan.newAddress());
        map.put("usable", plan.usable());
        map.put("routes", list(plan.routes().stream().map(r -> entries("table", r.table(), "before", r.before(),
                "after", r.after())).toList()));
        map.put("rules", list(plan.rules().stream().map(r -> entries("action", r.action(), "rule", r.rule()))
                .toList()));
        map.put("subscribers", list(plan.subscribers().stream().map(s -> entries("id", s.id(), "group", s.group(),
                "scope", s.scope(), "pid", s.pid())).toList()));
        map.put("applications", list(plan.applications()));
        map.put("guardNewConnections", plan.guardNewConnections());
        map.put("forceCloseAtDeadline", plan.forceCloseAtDeadline());
        map.put("drainTimeoutSeconds", plan.drainTimeoutSeconds());
        map.put("connections", list(plan.connections().stream().map(c -> entries("local", c.local(), "remote",
                c.remote(), "state", c.state(), "pid", c.pid(), "process", c.process())).toList()));
        map.put("listeners", list(plan.listeners()));
        map.put("holders", list(plan.holders()));
        return map;
    }

    /** A mutable-type copy: {@code List.of} lists are JDK-internal classes some JMX clients cannot deserialise. */
    private static <T> List<T> list(List<T> items) {
        return new java.util.ArrayList<>(items);
    }

    private static Map<String, Object> entries(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
