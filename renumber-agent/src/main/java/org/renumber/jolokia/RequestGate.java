package org.renumber.jolokia;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.renumber.jmx.MBeanArguments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a request once it is authenticated, before Jolokia sees it: paths outside the agent context
 * get 404, requests from another origin 403 ({@link SameOrigin}), {@code OPTIONS} an {@code Allow} list (Jolokia
 * 2.6's JVM handler answers it with 500), writes and operation arguments of the wrong kind for a {@code renumber}
 * MBean a 400 naming them ({@link MBeanArguments}; Jolokia would turn {@code "yes"} into false and {@code 1.5} into
 * 1), and calls of {@code awaitChange} move to a pool of their own.
 *
 * <p>Why the separate pool: {@code awaitChange} may block for up to a day, and the README recommends it. On the
 * request workers, a few waiting scripts would take every thread an operator's {@code cancelChange} needs. The
 * waits pool is bounded too ({@link RequestPools#MAX_WAITS}); beyond it a wait is refused with 503 and a message,
 * never queued behind the others.
 */
final class RequestGate implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(RequestGate.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AWAIT = "awaitChange";

    private final String context;
    private final HttpHandler jolokia;
    private final SameOrigin origins;
    private final ExecutorService waits;
    private final MBeanArguments arguments;

    RequestGate(String context, HttpHandler jolokia, SameOrigin origins, ExecutorService waits,
                MBeanArguments arguments) {
        this.arguments = requireNonNull(arguments, "arguments");
        this.context = requireNonNull(context, "context");
        this.jolokia = requireNonNull(jolokia, "jolokia");
        this.origins = requireNonNull(origins, "origins");
        this.waits = requireNonNull(waits, "waits");
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!(context.isEmpty() || path.equals(context) || path.startsWith(context + "/"))) {
            reply(exchange, 404, null);
            return;
        }
        String refusal = origins.refusal(exchange.getRequestHeaders());
        if (refusal != null) {
            log.warn("Jolokia request {} {} from {} refused: {}", exchange.getRequestMethod(), path,
                    exchange.getRemoteAddress().getAddress().getHostAddress(), refusal);
            reply(exchange, 403, "403 (Forbidden): cross-origin request refused: " + refusal + "\n");
            return;
        }
        if ("OPTIONS".equalsIgnoreCase(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET, POST, OPTIONS");
            reply(exchange, 204, null);
            return;
        }
        JolokiaRequests requests = read(exchange, path);
        List<String> refusals = requests.refusals(arguments);
        if (refusals.stream().anyMatch(Objects::nonNull)) {
            refuse(exchange, requests, refusals);
            return;
        }
        if (!requests.calls(AWAIT)) {
            jolokia.handle(exchange);
            return;
        }
        try {
            waits.execute(() -> {
                try {
                    jolokia.handle(exchange);
                } catch (IOException | RuntimeException e) {
                    log.debug("awaitChange answer not delivered: {}", e.toString());
                    exchange.close();
                }
            });
        } catch (RejectedExecutionException e) {
            log.warn("awaitChange refused: {} waits are already in progress", RequestPools.MAX_WAITS);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Retry-After", "1");
            reply(exchange, 503, "{\"status\":503,\"error_type\":\"java.util.concurrent.RejectedExecutionException\","
                    + "\"error\":\"too many awaitChange calls in progress (" + RequestPools.MAX_WAITS + "); retry, or "
                    + "read the State attribute of renumber:type=AddressChange,id=<changeId>\"}");
        }
    }

    // A GET names the request in its path, or in its query parameter p, which Jolokia then takes instead of the
    // path; a POST in its JSON body, one request or a bulk array. The body is read here and handed on unchanged.
    private JolokiaRequests read(HttpExchange exchange, String path) throws IOException {
        if ("GET".equalsIgnoreCase(exchange.getRequestMethod())) {
            String query = pathParameter(exchange.getRequestURI().getRawQuery());
            return JolokiaRequests.ofPath(query != null ? query : path.substring(context.length()));
        }
        if (!"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
            return JolokiaRequests.ofBody(new byte[0]);
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        exchange.setStreams(new ByteArrayInputStream(body), null);
        return JolokiaRequests.ofBody(body);
    }

    /** The first {@code p=} of a raw query string, decoded; null without one. */
    static String pathParameter(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("p=")) {
                return URLDecoder.decode(pair.substring(2), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    // Answered the way Jolokia answers a bad request (HTTP 200, the status in the JSON), so clients read it as they
    // read Jolokia's own errors. In a bulk request, one refused request stops them all: none is run.
    private static void refuse(HttpExchange exchange, JolokiaRequests requests, List<String> refusals)
            throws IOException {
        ArrayNode answers = JSON.createArrayNode();
        for (int i = 0; i < refusals.size(); i++) {
            String refusal = refusals.get(i);
            log.warn("Jolokia request refused: {}", refusal == null ? "(not run: another request of the bulk was "
                    + "refused)" : refusal);
            ObjectNode answer = answers.addObject();
            answer.put("status", 400);
            answer.put("error_type", IllegalArgumentException.class.getName());
            answer.put("error", refusal != null ? refusal : "not run: request " + (refusals.indexOf(
                    refusals.stream().filter(Objects::nonNull).findFirst().orElse(null)) + 1)
                    + " of this bulk request was refused");
            answer.set("request", requests.requests().get(i));
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        reply(exchange, 200, JSON.writeValueAsString(requests.bulk() ? answers : answers.get(0)));
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            }
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }
}
