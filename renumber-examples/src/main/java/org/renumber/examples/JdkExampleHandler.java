package org.renumber.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The example service's answers ({@link ExampleHandler}) on the JDK's own HTTP server ({@code --server jdk}):
 * {@code GET /} 200 naming the address, {@code POST /} the body's size, {@code GET /stream?seconds=N} a chunk
 * every 100 ms; anything else 404.
 */
final class JdkExampleHandler implements HttpHandler {

    private static final int MAX_STREAM_SECONDS = 3600;

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            if (path.equals("/") && method.equals("GET")) {
                answer(exchange, 200, "hello from " + exchange.getLocalAddress().getAddress().getHostAddress() + "\n");
            } else if (path.equals("/") && method.equals("POST")) {
                long received;
                try (InputStream body = exchange.getRequestBody()) {
                    received = body.transferTo(OutputStream.nullOutputStream());
                }
                answer(exchange, 200, "received " + received + " bytes\n");
            } else if (path.equals("/stream") && method.equals("GET")) {
                stream(exchange);
            } else {
                answer(exchange, 404, "not found\n");
            }
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void stream(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        int seconds = 10;
        if (query != null && query.startsWith("seconds=")) {
            try {
                seconds = Integer.parseInt(query.substring("seconds=".length()).strip());
            } catch (NumberFormatException e) {
                seconds = 10;
            }
        }
        seconds = Math.min(MAX_STREAM_SECONDS, Math.max(1, seconds));
        exchange.sendResponseHeaders(200, 0); // chunked
        OutputStream out = exchange.getResponseBody();
        try {
            for (int tick = 0; tick < seconds * 10; tick++) {
                out.write(("tick " + tick + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        out.write("done\n".getBytes(StandardCharsets.UTF_8));
    }
}
