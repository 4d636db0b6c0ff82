package org.renumber.client;

import java.lang.System.Logger.Level;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one thread that calls the application: handlers and the connection listener, one call at a time in the
 * order they were queued, so neither JMX's threads nor reconnections wait for the application, and a handler may
 * block. A callback that throws is logged; the next one runs.
 */
final class EventThread {

    private static final System.Logger log = System.getLogger(AddressChangeClient.class.getName());

    private final ExecutorService executor =
            Executors.newSingleThreadExecutor(AgentCalls.daemon("renumber-client-events"));

    /** Queues {@code task}; nothing happens once the thread is shut down. */
    void run(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.log(Level.WARNING, "an application callback failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Lets the queued calls finish, takes no more. */
    void shutdown() {
        executor.shutdown();
    }
}
