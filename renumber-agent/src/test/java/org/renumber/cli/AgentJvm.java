package org.renumber.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.renumber.testing.JvmProcess;

/**
 * {@code renumber agent} in a JVM of its own, from the test class path (so it runs before the jar is packaged), its
 * output collected line by line.
 */
final class AgentJvm implements AutoCloseable {

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private AgentJvm(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "agent-jvm-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static AgentJvm start(String netns, Path stateDir, Path jolokiaConfig) throws IOException {
        List<String> command = JvmProcess.javaCommandLine(Main.class.getName(), List.of("agent", "--netns", netns,
                "--state-dir", stateDir.toString(), "--jolokia-config", jolokiaConfig.toString(), "--jmx-port", "0",
                "--hooks-dir", stateDir.resolve("no-hooks").toString()));
        return new AgentJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    boolean printed(String text) {
        return lines.stream().anyMatch(l -> l.contains(text));
    }

    String text() {
        return String.join("\n", lines);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status, once the JVM has ended and its output is read. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the agent did not exit: " + text());
        }
        return process.exitValue();
    }

    /** SIGKILL, and wait until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill();
        }
    }

    @Override
    public String toString() {
        return "pid " + process.pid() + (process.isAlive() ? "" : " exited") + ": " + text();
    }
}
