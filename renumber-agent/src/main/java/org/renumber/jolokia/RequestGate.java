package org.renumber.jolokia;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a request once it is authenticated, before Jolokia sees it: paths outside the agent context
 * get 404, requests from another origin 403 ({@link SameOrigin}), {@code OPTIONS} an {@code Allow} list (Jolokia
 * 2.6's JVM handler answers it with 500), and calls of {@code awaitChange} move to a pool of their own.
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

    RequestGate(String context, HttpHandler jolokia, SameOrigin origins, ExecutorService waits) {
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
        if (!isWait(exchange, path)) {
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

    // A GET names the operation in the path (/exec/<mbean>/awaitChange/...) or in ?p=; a POST in its JSON
    // body, one request or a bulk array. The body is read here and handed on unchanged.
    private boolean isWait(HttpExchange exchange, String path) throws IOException {
        if ("GET".equalsIgnoreCase(exchange.getRequestMethod())) {
            String query = exchange.getRequestURI().getRawQuery();
            String inQuery = query == null ? "" : URLDecoder.decode(query, StandardCharsets.UTF_8);
            return isWaitPath(path.substring(context.length())) || inQuery.contains("/" + AWAIT);
        }
        if (!"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
            return false;
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        exchange.setStreams(new ByteArrayInputStream(body), null);
        try {
            JsonNode requests = JSON.readTree(body);
            if (requests != null && requests.isArray()) {
                for (JsonNode request : requests) {
                    if (isWaitRequest(request)) {
                        return true;
                    }
                }
                return false;
            }
            return requests != null && isWaitRequest(requests);
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static boolean isWaitPath(String path) {
        String[] parts = path.split("/");
        // "", "exec", mbean, operation, arguments...
        return parts.length >= 4 && parts[1].equals("exec") && parts[3].startsWith(AWAIT);
    }

    private static boolean isWaitRequest(JsonNode request) {
        String operation = request.path("operation").asText("");
        return "exec".equals(request.path("type").asText()) && (operation.equals(AWAIT)
                || operation.startsWith(AWAIT + "("));
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
