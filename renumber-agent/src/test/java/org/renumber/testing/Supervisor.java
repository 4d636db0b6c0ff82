package org.renumber.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A service supervisor that behaves like systemd with {@code Restart=always}: it starts the service, and whenever
 * the service's process exits, for any reason (a clean exit, SIGTERM or SIGKILL), it starts it again after
 * {@code RestartSec} (100 ms, systemd's default). After RESTARTS restarts it gives up and leaves the service down,
 * as systemd does when the start limit is hit; RESTARTS 0 gives up at the first exit.
 *
 * <p>The service comes from the environment variable {@value #SERVICE} (a main class on the test class path and
 * its arguments, separated by spaces), like a unit file's {@code ExecStart}, and not from the supervisor's
 * arguments. As with systemd, the supervisor's own command line therefore does not match the pattern that finds
 * the service's processes.
 *
 * <pre>Supervisor RESTARTS MARKER</pre>
 * The service inherits stdout; the supervisor adds {@code STARTED PID}, {@code EXITED PID STATUS} (128+N when
 * signal N ended it: a JVM exits with 143 on SIGTERM and is ended by SIGKILL with 137), {@code GAVE UP} and, if the
 * service cannot be started at all, {@code START FAILED REASON}. The marker only makes its command line unique to
 * one test. The supervisor stops on SIGTERM and when its stdin closes, so that it does not outlive a test JVM that
 * dies. It stops the service first: SIGTERM, then SIGKILL after 2 s.
 */
public final class Supervisor {

    public static final String SERVICE = "RENUMBER_TEST_SERVICE";
    private static final long RESTART_MILLIS = 100;
    private static final long STOP_SECONDS = 2;

    private final List<String> command;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private int restartsLeft;
    private boolean stopping;
    private Process service;

    private Supervisor(List<String> command, int restarts) {
        this.command = command;
        this.restartsLeft = restarts;
    }

    public static void main(String[] args) throws IOException {
        String unit = System.getenv(SERVICE);
        if (unit == null || unit.isBlank()) {
            throw new IllegalArgumentException(SERVICE + " must hold the service's main class and arguments");
        }
        List<String> words = Arrays.asList(unit.strip().split("\\s+"));
        Supervisor supervisor = new Supervisor(JvmProcess.javaCommandLine(words.get(0), words.subList(1, words.size())),
                Integer.parseInt(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(supervisor::stop));
        supervisor.start();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // nobody writes to it: its end means the test JVM that started the supervisor is gone
        }
        System.exit(0);
    }

    private synchronized void start() {
        if (stopping) {
            return;
        }
        try {
            // systemd's StandardInput=null: the service must not compete for the supervisor's stdin.
            service = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            // A timer task's exception would vanish; the test reads the output.
            say("START FAILED " + e.getMessage());
            return;
        }
        say("STARTED " + service.pid());
        service.onExit().thenAccept(this::exited);
    }

    private synchronized void exited(Process process) {
        say("EXITED " + process.pid() + " " + process.exitValue());
        if (stopping) {
            return;
        }
        if (restartsLeft == 0) {
            say("GAVE UP");
            return;
        }
        restartsLeft--;
        timer.schedule(this::start, RESTART_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void stop() {
        Process last;
        synchronized (this) {
            stopping = true;
            last = service;
        }
        timer.shutdownNow();
        if (last == null) {
            return;
        }
        last.destroy();
        try {
            if (!last.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                last.destroyForcibly().waitFor(STOP_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            last.destroyForcibly();
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
