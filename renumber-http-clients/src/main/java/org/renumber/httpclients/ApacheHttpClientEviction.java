package org.renumber.httpclients;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.ConnectionReuseStrategy;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.util.TimeValue;
import org.renumber.client.AddressChangeEvent;
import org.renumber.client.AddressChangeHandler;

/**
 * Keeps an Apache HttpClient 5 (classic) off pooled connections that use an address being replaced:
 * <ul>
 * <li>{@link #reuseStrategy()}: while a change drains, a connection whose local or remote address is the old one
 *     is not kept alive after its exchange (the response is read, then the connection closed); others follow
 *     the default strategy;</li>
 * <li>from {@link #started} until the change ends, every sweep closes the pool's idle and expired connections
 *     ({@link PoolingHttpClientConnectionManager#closeIdle}, {@link PoolingHttpClientConnectionManager#closeExpired}),
 *     so one idle at the change is not reused.</li>
 * </ul>
 * The next request opens a new connection, from the new source address and to the address its name resolves to
 * now.
 *
 * <pre>{@code
 * PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create().build();
 * ApacheHttpClientEviction eviction = new ApacheHttpClientEviction(pool);
 * CloseableHttpClient http = HttpClients.custom().setConnectionManager(pool)
 *         .setConnectionReuseStrategy(eviction.reuseStrategy()).build();
 * client.subscribe("billing", "", "", eviction);
 * }</pre>
 */
public final class ApacheHttpClientEviction implements AddressChangeHandler, AutoCloseable {

    private final PoolingHttpClientConnectionManager pool;
    private final PoolSweep sweep;
    private volatile InetAddress draining;

    /** Sweeps every 100 ms while a change drains. */
    public ApacheHttpClientEviction(PoolingHttpClientConnectionManager pool) {
        this(pool, Duration.ofMillis(100));
    }

    public ApacheHttpClientEviction(PoolingHttpClientConnectionManager pool, Duration sweepInterval) {
        this.pool = requireNonNull(pool, "pool");
        this.sweep = new PoolSweep("renumber-httpclient5-eviction", this::evictIdle, sweepInterval);
    }

    /** The default reuse strategy, but never for a connection on the address being replaced. */
    public ConnectionReuseStrategy reuseStrategy() {
        ConnectionReuseStrategy standard = DefaultConnectionReuseStrategy.INSTANCE;
        return (HttpRequest request, HttpResponse response, HttpContext context) ->
                standard.keepAlive(request, response, context) && !usesDrainingAddress(context);
    }

    @Override
    public void started(AddressChangeEvent event) {
        draining = event.oldInetAddress();
        sweep.start();
    }

    @Override
    public void completed(AddressChangeEvent event) {
        end();
    }

    @Override
    public void timedOut(AddressChangeEvent event) {
        end();
    }

    @Override
    public void cancelled(AddressChangeEvent event) {
        end();
    }

    @Override
    public void failed(AddressChangeEvent event) {
        end();
    }

    /** The address whose connections are not reused now, or null when no change drains. */
    public InetAddress drainingAddress() {
        return draining;
    }

    private void end() {
        sweep.stop();
        draining = null;
        evictIdle();
    }

    private void evictIdle() {
        pool.closeIdle(TimeValue.ZERO_MILLISECONDS);
        pool.closeExpired();
    }

    private boolean usesDrainingAddress(HttpContext context) {
        InetAddress old = draining;
        if (old == null) {
            return false;
        }
        EndpointDetails endpoint = HttpCoreContext.castOrCreate(context).getEndpointDetails();
        // Unknown endpoint: do not reuse, to be safe while a change drains.
        return endpoint == null || is(endpoint.getLocalAddress(), old) || is(endpoint.getRemoteAddress(), old);
    }

    private static boolean is(SocketAddress address, InetAddress expected) {
        return address instanceof InetSocketAddress socket && expected.equals(socket.getAddress());
    }

    @Override
    public void close() {
        sweep.close();
    }
}
