package org.renumber.hooks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one hook: {@code HOOK INTERFACE EVENT} with the change in its environment, no standard input, its output
 * (standard error too) logged line by line under the hook's name, killed with its children when the time limit
 * passes.
 */
final class HookRunner {

    /** How a hook ended: its exit code, or why it has none. */
    record Result(String hook, int exitCode, String failure, String lastLine) {

        boolean succeeded() {
            return failure.isEmpty() && exitCode == 0;
        }

        /** One sentence, for the change's error and the log. */
        String describe() {
            String why = !failure.isEmpty() ? failure : "exited with status " + exitCode;
            return "hook " + hook + " " + why + (lastLine.isEmpty() ? "" : " (last output: " + lastLine + ")");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(HookRunner.class);

    private HookRunner() {
    }

    static Result run(Path hook, List<String> args, Map<String, String> environment, Duration limit)
            throws InterruptedException {
        String name = hook.getFileName().toString();
        List<String> command = new java.util.ArrayList<>();
        command.add(hook.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Result(name, -1, "could not be started: " + e.getMessage(), "");
        }
        String[] last = {""};
        Thread output = new Thread(() -> logOutput(name, args, process, last), "renumber-hook-" + name);
        output.setDaemon(true);
        output.start();
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                return new Result(name, -1, "did not finish within its " + limit.toSeconds() + " s time limit and "
                        + "was killed", lastLine(output, last));
            }
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        return new Result(name, process.exitValue(), "", lastLine(output, last));
    }

    /** The output thread may still be reading what the hook wrote just before it ended. */
    private static String lastLine(Thread output, String[] last) throws InterruptedException {
        output.join(Duration.ofSeconds(1).toMillis());
        synchronized (last) {
            return last[0];
        }
    }

    private static void logOutput(String name, List<String> args, Process process, String[] last) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                log.info("hook {} {}: {}", name, String.join(" ", args), line);
                synchronized (last) {
                    last[0] = line.length() > 200 ? line.substring(0, 197) + "..." : line;
                }
            }
        } catch (IOException e) {
            // the hook (or a child that kept its output) was killed
        }
    }

    /** The hook and whatever it started: a hung hook's child must not outlive its time limit either. */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
