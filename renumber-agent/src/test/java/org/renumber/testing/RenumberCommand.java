package org.renumber.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code renumber} command as an operator runs it: {@code java -jar target/renumber.jar ARGS}, a separate
 * process with its output piped (no terminal), against the agent at {@code url} with the credentials generated in
 * {@code stateDir}.
 */
public final class RenumberCommand {

    private final String url;
    private final Path stateDir;

    public RenumberCommand(String url, Path stateDir) {
        this.url = url;
        this.stateDir = stateDir;
    }

    /** What a finished command printed and returned. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A command still running, its output collected as it comes. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        Running(Process process) {
            this.process = process;
            collect(process.getInputStream(), out);
            collect(process.getErrorStream(), err);
        }

        public String out() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        public Process process() {
            return process;
        }

        public Result await(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("renumber did not end within " + seconds + " s; it printed:\n" + out());
            }
            Thread.sleep(100); // the collectors read what the process wrote last
            synchronized (err) {
                return new Result(process.exitValue(), out(), err.toString(StandardCharsets.UTF_8));
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }

        private static void collect(InputStream stream, ByteArrayOutputStream into) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[4096];
                try {
                    for (int n = stream.read(buffer); n >= 0; n = stream.read(buffer)) {
                        synchronized (into) {
                            into.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "renumber-output");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** The full command line: the jar, the connection options, then {@code args}. */
    public List<String> commandLine(String... args) {
        Path jar = Path.of("target", "renumber.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run `mvn verify`, which packages it");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", jar.toAbsolutePath().toString(), "--url", url, "--state-dir", stateDir.toString()));
        command.addAll(List.of(args));
        return command;
    }

    public Running start(String... args) {
        try {
            return new Running(new ProcessBuilder(commandLine(args)).redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Result run(String... args) throws InterruptedException {
        try (Running running = start(args)) {
            return running.await(120);
        }
    }

    /** Runs the jar with exactly {@code args} (no connection options), e.g. to test the defaults or the env. */
    public static Result runBare(List<String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", Path.of("target", "renumber.jar").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        for (String assignment : env) {
            String[] kv = assignment.split("=", 2);
            builder.environment().put(kv[0], kv[1]);
        }
        try (Running running = new Running(builder.start())) {
            return running.await(120);
        }
    }
}
