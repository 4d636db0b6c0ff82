package org.renumber.hooks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.EventType;
import org.renumber.domain.port.ChangeListener;
import org.renumber.service.AddressChangeService;
import org.renumber.service.PreStartHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the hooks of a directory on each change event. The events of one change reach its hooks in the order they
 * happened, off the change's thread, each hook within its time limit: a hung or failing hook delays only the hooks of
 * its own change, never the change itself, the agent or another change. The one exception is {@code pre-started},
 * which the change waits for (each hook within its time limit): a failing {@code pre-started} hook fails the change,
 * which then rolls back.
 *
 * <p>Each hook runs as {@code HOOK INTERFACE EVENT} with {@code RENUMBER_EVENT}, {@code RENUMBER_CHANGE_ID},
 * {@code RENUMBER_INTERFACE}, {@code RENUMBER_OLD_ADDRESS}, {@code RENUMBER_NEW_ADDRESS} (both ADDR/PREFIX),
 * {@code RENUMBER_STATE}, {@code RENUMBER_KIND} and {@code RENUMBER_OUTCOME} (empty while the change runs).
 */
public final class HookDispatcher implements ChangeListener, PreStartHook, AutoCloseable {

    public static final Path DEFAULT_DIR = Path.of("/etc/renumber/hooks.d");
    public static final String PRE_STARTED = "pre-started";

    private static final Logger log = LoggerFactory.getLogger(HookDispatcher.class);

    private final HookDirectory directory;
    private final LongSupplier timeoutSeconds;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "renumber-hooks");
        thread.setDaemon(true);
        return thread;
    });
    /** Per change, the hooks of its last event: the next event's run after them. */
    private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();

    /**
     * @param dir            the hooks directory; null or absent: no hooks
     * @param timeoutSeconds each hook's time limit as the settings say now
     */
    public HookDispatcher(Path dir, LongSupplier timeoutSeconds) {
        this.directory = new HookDirectory(dir);
        this.timeoutSeconds = timeoutSeconds;
        if (dir != null) {
            log.info("hooks: {} ({} now)", dir, directory.hooks().stream().map(p -> p.getFileName().toString())
                    .toList());
        }
    }

    /** The wire name of an event as hooks get it. */
    static String eventName(EventType type) {
        return switch (type) {
            case WARNING -> "warning";
            case STARTED -> "started";
            case DRAINED -> "drained";
            case TIMEOUT -> "timed-out";
            case COMPLETED -> "completed";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
            case INTERFACE_CHANGED -> "interface-changed";
            case ALIAS_REMOVABLE -> "alias-removable";
        };
    }

    @Override
    public void beforeStart(Change change) throws InterruptedException {
        for (Path hook : directory.hooks()) {
            HookRunner.Result result = run(hook, PRE_STARTED, change);
            if (!result.succeeded()) {
                throw new IllegalStateException(PRE_STARTED + " " + result.describe() + "; the change does not start");
            }
        }
    }

    @Override
    public void event(ChangeEvent event) {
        List<Path> hooks = directory.hooks();
        if (hooks.isEmpty()) {
            return;
        }
        String name = eventName(event.type());
        Change change = event.change();
        synchronized (tails) {
            CompletableFuture<Void> previous = tails.getOrDefault(change.id(), CompletableFuture.completedFuture(null));
            CompletableFuture<Void> next;
            try {
                next = previous.thenRunAsync(() -> runAll(hooks, name, change), threads);
            } catch (RejectedExecutionException e) {
                return; // closing
            }
            tails.put(change.id(), next);
            next.whenComplete((ignored, error) -> {
                synchronized (tails) {
                    tails.remove(change.id(), next);
                }
            });
        }
    }

    private void runAll(List<Path> hooks, String event, Change change) {
        for (Path hook : hooks) {
            try {
                HookRunner.Result result = run(hook, event, change);
                if (!result.succeeded()) {
                    log.warn("change {}: {} event {}", change.id(), result.describe(), event);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private HookRunner.Result run(Path hook, String event, Change change) throws InterruptedException {
        Duration limit = Duration.ofSeconds(timeoutSeconds.getAsLong());
        log.info("change {}: running hook {} {} {}", change.id(), hook.getFileName(), change.request().interfaceName(),
                event);
        return HookRunner.run(hook, List.of(change.request().interfaceName(), event), environment(event, change),
                limit);
    }

    static Map<String, String> environment(String event, Change change) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RENUMBER_EVENT", event);
        env.put("RENUMBER_CHANGE_ID", change.id());
        env.put("RENUMBER_INTERFACE", change.request().interfaceName());
        env.put("RENUMBER_OLD_ADDRESS", change.request().oldAddress().toString());
        env.put("RENUMBER_NEW_ADDRESS", change.request().newAddress().toString());
        env.put("RENUMBER_STATE", change.progress().state().name());
        env.put("RENUMBER_KIND", change.request().kind().name());
        env.put("RENUMBER_OUTCOME", change.progress().outcome() == null ? "" : change.progress().outcome().name());
        return env;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
