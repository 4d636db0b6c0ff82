package org.renumber.httpclients;

import java.time.Duration;
import okhttp3.ConnectionPool;
import org.renumber.client.AddressChangeEvent;
import org.renumber.client.AddressChangeHandler;

/**
 * Keeps an OkHttp client off pooled connections that use an address being replaced: from {@link #started} until
 * the change ends, the pool's idle connections are evicted every sweep ({@link ConnectionPool#evictAll()}), so
 * each connection is closed once its call is done and the next call opens a new one, from the new source address
 * and to the address its name resolves to now. On {@link #cancelled} and {@link #failed} once more, for the
 * connections opened on the new address that is going away again.
 *
 * <pre>{@code
 * ConnectionPool pool = new ConnectionPool();
 * OkHttpClient http = new OkHttpClient.Builder().connectionPool(pool).build();
 * client.subscribe("billing", "", "", new OkHttpEviction(pool));
 * }</pre>
 *
 * OkHttp's pool has no per-address eviction: every idle connection goes, also those to peers that did not move;
 * they are opened again on demand. A call in flight is never interrupted.
 */
public final class OkHttpEviction implements AddressChangeHandler, AutoCloseable {

    private final ConnectionPool pool;
    private final PoolSweep sweep;

    /** Sweeps every 100 ms while a change drains. */
    public OkHttpEviction(ConnectionPool pool) {
        this(pool, Duration.ofMillis(100));
    }

    public OkHttpEviction(ConnectionPool pool, Duration sweepInterval) {
        this.pool = java.util.Objects.requireNonNull(pool, "pool");
        this.sweep = new PoolSweep("renumber-okhttp-eviction", pool::evictAll, sweepInterval);
    }

    @Override
    public void started(AddressChangeEvent event) {
        sweep.start();
    }

    @Override
    public void completed(AddressChangeEvent event) {
        sweep.stop();
    }

    @Override
    public void timedOut(AddressChangeEvent event) {
        sweep.stop();
        pool.evictAll();
    }

    @Override
    public void cancelled(AddressChangeEvent event) {
        sweep.stop();
        pool.evictAll();
    }

    @Override
    public void failed(AddressChangeEvent event) {
        sweep.stop();
        pool.evictAll();
    }

    /** Whether a change is draining now (the sweep runs). */
    public boolean isSweeping() {
        return sweep.isSweeping();
    }

    @Override
    public void close() {
        sweep.close();
    }
}
