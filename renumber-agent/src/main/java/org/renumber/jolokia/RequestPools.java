package org.renumber.jolokia;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of the HTTP endpoint, both bounded, both started on demand and ended after a minute idle, so an
 * idle agent holds none of them.
 *
 * <ul>
 *   <li>Request workers ({@code threadNr}, default 64): the JDK server gives a new connection a worker until its
 *   request has arrived, so a client that sends half a request holds one; {@value #REQUEST_SECONDS} s later the
 *   server drops it ({@code sun.net.httpserver.maxReqTime}, set in {@link JolokiaAgent}). Requests beyond the
 *   workers queue (up to {@value #QUEUED}) rather than fail.
 *   <li>Waits ({@value #MAX_WAITS}): {@code awaitChange} calls, see {@link RequestGate}.
 * </ul>
 */
final class RequestPools {

    /** Longest time a request may take to arrive in full, in seconds, unless the JVM was started with another. */
    static final int REQUEST_SECONDS = 10;
    static final int DEFAULT_WORKERS = 64;
    static final int MAX_WAITS = 64;
    private static final int QUEUED = 1000;

    private RequestPools() {
    }

    static ExecutorService workers(String namePrefix, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("jolokia property threadNr=" + threads + " must be at least 1");
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUED), named(namePrefix));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    static ExecutorService waits() {
        return new ThreadPoolExecutor(0, MAX_WAITS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                named("renumber-jolokia-wait-"));
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
