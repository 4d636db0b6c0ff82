package org.renumber.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A test main class in its own JVM inside a network namespace ({@code ip netns exec NS java -cp <test classpath>
 * MAIN ARGS}), whose stdout lines are collected as they come, so a test can await one without blocking on a read.
 */
public final class JvmProcess implements AutoCloseable {

    private final Process process;
    private final PrintWriter in;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private JvmProcess(Process process) {
        this.process = process;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "jvm-process-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code mainClass args...} with the test class path in {@code netns}, with extra environment. */
    public static JvmProcess start(String netns, Map<String, String> environment, Class<?> mainClass, String... args)
            throws IOException {
        return start(List.of("ip", "netns", "exec", netns), environment, mainClass, args);
    }

    /**
     * Like {@link #start}, with the JVM in a PID namespace of its own, as in a container: it is process 1 there.
     * {@link #pid()} is then the {@code unshare} parent's, {@link #javaPid()} the JVM's as the host sees it.
     */
    public static JvmProcess startInOwnPidNamespace(String netns, Map<String, String> environment, Class<?> mainClass,
                                                    String... args) throws IOException {
        // --kill-child: the JVM dies with unshare when the test destroys it.
        return start(List.of("ip", "netns", "exec", netns, "unshare", "--pid", "--fork", "--kill-child"), environment,
                mainClass, args);
    }

    private static JvmProcess start(List<String> launcher, Map<String, String> environment, Class<?> mainClass,
                                    String... args) throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(javaCommandLine(mainClass.getName(), List.of(args)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(environment);
        return new JvmProcess(builder.start());
    }

    /** {@code java [small-heap options] -cp <test class path> MAIN ARGS}, without the namespace around it. */
    public static List<String> javaCommandLine(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>(List.of(javaCommand(), "-Xmx96m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", NetNsPeer.testClassPath(), mainClass));
        command.addAll(args);
        return command;
    }

    public static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Every line printed so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public boolean printed(String line) {
        return lines.contains(line);
    }

    public boolean printedStartingWith(String prefix) {
        return lines.stream().anyMatch(l -> l.startsWith(prefix));
    }

    public void send(String line) {
        in.println(line);
    }

    public long pid() {
        return process.pid();
    }

    /** The JVM's process id as this (the host's) PID namespace sees it, also when a launcher forked it. */
    public long javaPid() {
        return ProcessHandle.of(process.pid()).stream().flatMap(p -> java.util.stream.Stream.concat(
                        java.util.stream.Stream.of(p), p.descendants()))
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst()
                .orElseThrow(() -> new IllegalStateException("no JVM under process " + process.pid()));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        // unshare --fork ignores SIGTERM while its child runs: the JVM under it gets the signal itself.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "pid " + process.pid() + " printed " + lines;
    }
}
