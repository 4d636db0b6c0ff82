package org.renumber.jolokia;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.renumber.jmx.MBeanArguments;

/**
 * The Jolokia requests of one HTTP request, as JSON: a POST body (one request or a bulk array), or a GET path
 * ({@code /exec/MBEAN/OPERATION/ARG...}, {@code /write/MBEAN/ATTRIBUTE/VALUE}) in Jolokia's escaping ({@code !/}
 * for a slash, {@code !!} for {@code !}, {@code [null]} for null, {@code ""} for the empty text). Read only to
 * judge them: Jolokia itself still parses and runs the original.
 */
record JolokiaRequests(List<JsonNode> requests, boolean bulk) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JolokiaRequests ofBody(byte[] body) {
        try {
            JsonNode parsed = JSON.readTree(body);
            if (parsed == null) {
                return new JolokiaRequests(List.of(), false);
            }
            if (parsed.isArray()) {
                List<JsonNode> all = new ArrayList<>();
                parsed.forEach(all::add);
                return new JolokiaRequests(all, true);
            }
            return new JolokiaRequests(List.of(parsed), false);
        } catch (IOException e) {
            // Jolokia answers unparsable bodies itself.
            return new JolokiaRequests(List.of(), false);
        }
    }

    /** {@code path} is what follows the agent context, e.g. {@code /exec/renumber:type=X/op/1}. */
    static JolokiaRequests ofPath(String path) {
        List<String> parts = split(path);
        if (parts.size() < 3 || !(parts.get(0).equals("exec") || parts.get(0).equals("write"))) {
            return new JolokiaRequests(List.of(), false);
        }
        ObjectNode request = JsonNodeFactory.instance.objectNode();
        request.put("type", parts.get(0));
        request.put("mbean", parts.get(1));
        if (parts.get(0).equals("exec")) {
            request.put("operation", parts.get(2));
            ArrayNode arguments = request.putArray("arguments");
            parts.subList(3, parts.size()).forEach(argument -> arguments.add(value(argument)));
        } else {
            request.put("attribute", parts.get(2));
            request.set("value", parts.size() > 3 ? value(parts.get(3)) : null);
        }
        return new JolokiaRequests(List.of(request), false);
    }

    /** Whether any request calls {@code operation} with exec. */
    boolean calls(String operation) {
        return requests.stream().anyMatch(request -> "exec".equals(request.path("type").asText())
                && (request.path("operation").asText("").equals(operation)
                || request.path("operation").asText("").startsWith(operation + "(")));
    }

    /** For each request, why it is refused, or null; all null when every one may run. */
    List<String> refusals(MBeanArguments arguments) {
        List<String> refusals = new ArrayList<>();
        for (JsonNode request : requests) {
            refusals.add(refusal(arguments, request));
        }
        return refusals;
    }

    private static String refusal(MBeanArguments arguments, JsonNode request) {
        ObjectName name;
        try {
            name = new ObjectName(request.path("mbean").asText(""));
        } catch (MalformedObjectNameException e) {
            return null;
        }
        return switch (request.path("type").asText("")) {
            case "write" -> arguments.refuseWriteJson(name, request.path("attribute").asText(null),
                    request.get("value"));
            case "exec" -> {
                List<JsonNode> values = new ArrayList<>();
                JsonNode given = request.path("arguments");
                if (given.isArray()) {
                    given.forEach(values::add);
                } else if (!given.isMissingNode()) {
                    values.add(given);
                }
                yield arguments.refuseExecJson(name, request.path("operation").asText(""), values);
            }
            default -> null;
        };
    }

    private static JsonNode value(String text) {
        if (text.equals("[null]")) {
            return JsonNodeFactory.instance.nullNode();
        }
        return JsonNodeFactory.instance.textNode(text.equals("\"\"") ? "" : text);
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (int i = path.startsWith("/") ? 1 : 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '!' && i + 1 < path.length()) {
                part.append(path.charAt(++i));
            } else if (c == '/') {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        if (part.length() > 0) {
            parts.add(part.toString());
        }
        return parts;
    }
}
