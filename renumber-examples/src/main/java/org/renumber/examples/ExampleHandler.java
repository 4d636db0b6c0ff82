package org.renumber.examples;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * What the example service answers:
 * <ul>
 * <li>{@code GET /}: 200 with a one-line body naming the address that served it;</li>
 * <li>{@code POST /}: 200 with the number of bytes received (the benchmark's non-retried requests);</li>
 * <li>{@code GET /stream?seconds=N}: a chunk every 100 ms for N seconds (at most 3600), a long response for the
 *     ForceCloseAtDeadline variant.</li>
 * </ul>
 * Anything else is 404.
 */
final class ExampleHandler extends Handler.Abstract {

    private static final int MAX_STREAM_SECONDS = 3600;

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (path.equals("/") && method.equals("GET")) {
            Content.Sink.write(response, true, "hello from " + Request.getLocalAddr(request) + "\n", callback);
        } else if (path.equals("/") && method.equals("POST")) {
            long received;
            try (InputStream body = Content.Source.asInputStream(request)) {
                received = body.transferTo(OutputStream.nullOutputStream());
            }
            Content.Sink.write(response, true, "received " + received + " bytes\n", callback);
        } else if (path.equals("/stream") && method.equals("GET")) {
            stream(request, response, callback);
        } else {
            Response.writeError(request, response, callback, 404);
        }
        return true;
    }

    /** Blocking writes on the handler's thread: simple, and the example's load is small. */
    private static void stream(Request request, Response response, Callback callback) throws Exception {
        Fields query = Request.extractQueryParameters(request);
        int seconds = Math.min(MAX_STREAM_SECONDS, Math.max(1, parse(query.getValue("seconds"), 10)));
        for (int tick = 0; tick < seconds * 10; tick++) {
            Content.Sink.write(response, false, ByteBuffer.wrap(("tick " + tick + "\n").getBytes(StandardCharsets.UTF_8)));
            Thread.sleep(100);
        }
        Content.Sink.write(response, true, "done\n", callback);
    }

    private static int parse(String value, int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
