package org.renumber.console;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the console's assets under {@value #PATH}/ and hands every other path to {@code next} (Jolokia).
 *
 * <p>It sits behind the Jolokia context's basic authenticator, so every path answers 401 without the agent's
 * credentials, and it applies the agent's same-origin rule (given as {@code crossOrigin}, the one Jolokia's requests
 * pass too): a page the operator visits elsewhere must not be able to use the browser's cached credentials, nor
 * frame the console.
 *
 * <p>The assets are a fixed list read from the jar once, at start: nothing else under the path can be served,
 * and a missing asset stops the agent from starting rather than showing a broken page.
 */
public final class ConsoleHandler implements HttpHandler {

    /** Where the console is served. */
    public static final String PATH = "/console";

    /** Only the page's own files: no inline script or style, no other origin, never inside a frame. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    /** The assets built from src/main/console (see its README), with their content types. */
    static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    /** index.html names the Jolokia URL in a meta element; the agent context is configurable. */
    static final String JOLOKIA_URL_PLACEHOLDER = "@JOLOKIA_URL@";

    private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);

    private final Map<String, byte[]> assets;
    private final Function<Headers, String> crossOrigin;
    private final HttpHandler next;

    /**
     * @param jolokiaPath the Jolokia agent context, e.g. {@code /jolokia}, which the page talks to
     * @param crossOrigin why a request's headers show a browser sending it for another origin, or null if they do not
     * @param next        handles every path outside {@value #PATH}
     */
    public ConsoleHandler(String jolokiaPath, Function<Headers, String> crossOrigin, HttpHandler next) {
        requireNonNull(jolokiaPath, "jolokiaPath");
        this.crossOrigin = requireNonNull(crossOrigin, "crossOrigin");
        this.next = requireNonNull(next, "next");
        Map<String, byte[]> loaded = new LinkedHashMap<>();
        for (String name : ASSETS.keySet()) {
            byte[] bytes = read(name);
            if (name.equals("index.html")) {
                bytes = new String(bytes, StandardCharsets.UTF_8)
                        .replace(JOLOKIA_URL_PLACEHOLDER, jolokiaPath.isEmpty() ? "/" : jolokiaPath)
                        .getBytes(StandardCharsets.UTF_8);
            }
            loaded.put(name, bytes);
        }
        this.assets = Map.copyOf(loaded);
    }

    /** Total size of the assets in bytes, as served. */
    public int assetBytes() {
        return assets.values().stream().mapToInt(b -> b.length).sum();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals(PATH) && !path.startsWith(PATH + "/")) {
            next.handle(exchange);
            return;
        }
        String refusal = crossOrigin.apply(exchange.getRequestHeaders());
        if (refusal != null) {
            log.warn("refused {} {}: cross-origin request: {}", exchange.getRequestMethod(), path, refusal);
            send(exchange, 403, "text/plain; charset=utf-8",
                    ("403 (Forbidden): cross-origin request refused: " + refusal + "\n").getBytes(StandardCharsets.UTF_8));
        } else {
            serve(exchange, path);
        }
    }

    private void serve(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            send(exchange, 405, "text/plain; charset=utf-8", "the console is read with GET\n".getBytes(
                    StandardCharsets.UTF_8));
            return;
        }
        if (path.equals(PATH)) {
            exchange.getResponseHeaders().set("Location", PATH + "/");
            send(exchange, 301, null, null);
            return;
        }
        String name = path.substring(PATH.length() + 1);
        if (name.isEmpty()) {
            name = "index.html";
        }
        byte[] body = assets.get(name);
        if (body == null) {
            send(exchange, 404, "text/plain; charset=utf-8", "no such console file\n".getBytes(StandardCharsets.UTF_8));
        } else {
            send(exchange, 200, ASSETS.get(name), method.equals("HEAD") ? null : body);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cross-Origin-Resource-Policy", "same-origin");
        // The page shows live state; a stale copy from a cache would mislead.
        headers.set("Cache-Control", "no-cache");
        if (type != null) {
            headers.set("Content-Type", type);
        }
        try (exchange) {
            exchange.sendResponseHeaders(status, body == null ? -1 : body.length);
            if (body != null) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private static byte[] read(String name) {
        String resource = "/console/" + name;
        try (InputStream in = ConsoleHandler.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("console asset " + resource + " is missing from the agent jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read console asset " + resource, e);
        }
    }
}
