package org.renumber.client;

import static java.util.Objects.requireNonNull;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * For an application that cannot move its sockets: on {@link #started} it runs the cleanup steps in order,
 * then exits with {@link #EXIT_CODE}, so its supervisor starts it again and the new process binds and connects
 * on the new address. Only {@code started} triggers it.
 *
 * <p>Configure the supervisor to restart on that code, e.g. systemd {@code Restart=on-failure} (any non-zero
 * exit) or {@code RestartForceExitStatus=75}; with Docker/Kubernetes a restart policy of
 * {@code on-failure}/{@code Always}.
 *
 * <p>A process started after the change began is already on the new address: the reaction ignores a
 * {@code started} event whose {@link AddressChangeEvent#startedAt()} is before this process started (the
 * client delivers such events when it catches up on a running change), so a restarted application does not
 * restart again.
 */
public final class RestartReaction implements AddressChangeHandler {

    /** {@code EX_TEMPFAIL} from sysexits.h: a temporary failure, the caller is invited to retry. */
    public static final int EXIT_CODE = 75;

    private static final System.Logger log = System.getLogger(RestartReaction.class.getName());

    private final List<AutoCloseable> cleanup;
    private final IntConsumer exit;
    private final Instant processStart;

    /** Runs {@code cleanup} in order (a failure is logged and the next step runs), then exits the JVM. */
    public RestartReaction(AutoCloseable... cleanup) {
        this(RestartReaction::exitFromOwnThread, cleanup);
    }

    /**
     * As {@link #RestartReaction(AutoCloseable...)} with another way to exit ({@code exit} receives
     * {@link #EXIT_CODE}), e.g. to stop an embedded server instead of the JVM, or in tests.
     */
    public RestartReaction(IntConsumer exit, AutoCloseable... cleanup) {
        this.exit = requireNonNull(exit, "exit");
        this.cleanup = List.of(cleanup);
        this.processStart = ProcessHandle.current().info().startInstant().orElse(Instant.MIN);
    }

    @Override
    public void started(AddressChangeEvent event) {
        if (event.startedAt() != null && event.startedAt().isBefore(processStart)) {
            log.log(Level.INFO, "change {0} started before this process did; no restart needed", event.changeId());
            return;
        }
        log.log(Level.WARNING, "address {0} is being replaced by {1} (change {2}): cleaning up and exiting with {3} "
                + "for a restart", event.oldAddress(), event.newAddress(), event.changeId(), EXIT_CODE);
        for (AutoCloseable step : cleanup) {
            try {
                step.close();
            } catch (Exception e) {
                log.log(Level.WARNING, "a cleanup step failed before the restart", e);
            }
        }
        exit.accept(EXIT_CODE);
    }

    /**
     * {@code System.exit} runs the shutdown hooks and waits for them; one of them may close the client, which
     * waits for the event thread this runs on. Exiting from a thread of its own lets the event thread return.
     */
    private static void exitFromOwnThread(int code) {
        Thread exiting = new Thread(() -> System.exit(code), "renumber-restart-exit");
        exiting.start();
    }
}
