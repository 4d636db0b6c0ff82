package org.renumber.httpclients;

import static java.util.Objects.requireNonNull;

import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.renumber.client.AddressChangeEvent;
import org.renumber.client.AddressChangeHandler;

/**
 * For {@link HttpClient} (java.net.http), which has no API to evict its pooled connections: the application asks
 * this reaction for {@link #current()} client before each request, and on {@link #started} (and on
 * {@link #cancelled} / {@link #failed}, for connections made on the new address that goes away again) a fresh
 * client takes its place. New requests open new connections, from the new source address and to the address the
 * name resolves to now; requests in flight on the old client complete.
 *
 * <pre>{@code
 * JdkHttpClientSwap http = new JdkHttpClientSwap(() -> HttpClient.newBuilder().build());
 * client.subscribe("billing", "", "", http);
 * http.current().send(request, BodyHandlers.ofString());
 * }</pre>
 *
 * The replaced client is closed when the JDK can (Java 21 and later: {@code HttpClient} is {@link AutoCloseable};
 * its close waits for the requests in flight). On Java 17 it is left to the garbage collector and its idle
 * connections close after {@code jdk.httpclient.keepalive.timeout} (1200 s by default): set that system
 * property to a few seconds so the agent's drain is not held up by them.
 */
public final class JdkHttpClientSwap implements AddressChangeHandler {

    private static final System.Logger log = System.getLogger(JdkHttpClientSwap.class.getName());

    private final Supplier<HttpClient> factory;
    private final AtomicReference<HttpClient> current;

    public JdkHttpClientSwap(Supplier<HttpClient> factory) {
        this.factory = requireNonNull(factory, "factory");
        this.current = new AtomicReference<>(requireNonNull(factory.get(), "the factory made no client"));
    }

    /** The client to use now; ask again for each request (or at least after a change). */
    public HttpClient current() {
        return current.get();
    }

    @Override
    public void started(AddressChangeEvent event) {
        swap();
    }

    @Override
    public void cancelled(AddressChangeEvent event) {
        swap();
    }

    @Override
    public void failed(AddressChangeEvent event) {
        swap();
    }

    private void swap() {
        HttpClient old = current.getAndSet(requireNonNull(factory.get(), "the factory made no client"));
        if (old instanceof AutoCloseable closeable) {
            Thread closer = new Thread(() -> {
                try {
                    closeable.close();
                } catch (Exception e) {
                    log.log(Level.DEBUG, "closing a replaced HttpClient: {0}", e.toString());
                }
            }, "renumber-httpclient-close");
            closer.setDaemon(true);
            closer.start();
        }
        log.log(Level.INFO, "HttpClient replaced: new requests use new connections");
    }
}
