package org.renumber.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.management.remote.JMXServiceURL;

/**
 * The packaged agent ({@code java -jar target/renumber.jar agent ...}) as a separate process, the way an
 * operator runs it: tests read its endpoints from what it prints and its password from the state directory.
 */
public final class AgentProcess implements AutoCloseable {

    private final Process process;
    private final JMXServiceURL jmxUrl;
    private final URI jolokiaUrl;
    private final Path stateDir;
    private final List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();

    private AgentProcess(Process process, JMXServiceURL jmxUrl, URI jolokiaUrl, Path stateDir) {
        this.process = process;
        this.jmxUrl = jmxUrl;
        this.jolokiaUrl = jolokiaUrl;
        this.stateDir = stateDir;
    }

    /** Starts the jar with {@code args} and waits until it has printed its JMX and Jolokia addresses. */
    public static AgentProcess start(Path stateDir, String... args) throws IOException {
        return start(List.of(), List.of(), stateDir, args);
    }

    /** As {@link #start(Path, String...)} with JVM options, e.g. a {@code -D} the agent reads at startup. */
    public static AgentProcess start(List<String> jvmOptions, Path stateDir, String... args) throws IOException {
        return start(List.of(), jvmOptions, stateDir, args);
    }

    /**
     * Starts the jar inside network namespace {@code netns} ({@code ip netns exec}), as on a node of its own: it
     * manages that namespace and its endpoints are on that namespace's loopback, so only processes inside the
     * namespace reach them. A small heap and a quick start, for tests that run several agents at once.
     */
    public static AgentProcess startInNamespace(String netns, Path stateDir, String... args) throws IOException {
        return start(List.of("ip", "netns", "exec", netns),
                List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"), stateDir, args);
    }

    private static AgentProcess start(List<String> launcher, List<String> jvmOptions, Path stateDir, String... args)
            throws IOException {
        Path jar = Path.of("target", "renumber.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run `mvn verify`, which packages it first");
        }
        List<String> command = new java.util.ArrayList<>(launcher);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "agent",
                "--state-dir", stateDir.toString(), "--jmx-port", "0"));
        command.addAll(List.of(args));
        return launch(new ProcessBuilder(command), stateDir);
    }

    /**
     * Starts the agent as the systemd unit does, through {@code packaging/renumber-agent} (its bounded heap and other
     * JVM options), without a class archive.
     */
    public static AgentProcess startWithLauncher(Path stateDir, String... args) throws IOException {
        Path launcher = Path.of("packaging", "renumber-agent");
        List<String> command = new java.util.ArrayList<>(List.of("sh", launcher.toAbsolutePath().toString(),
                "--state-dir", stateDir.toString(), "--jmx-port", "0"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("RENUMBER_CDS", "off");
        builder.environment().remove("RENUMBER_JAVA_OPTS");
        builder.environment().put("RENUMBER_JAR", Path.of("target", "renumber.jar").toAbsolutePath().toString());
        return launch(builder, stateDir);
    }

    private static AgentProcess launch(ProcessBuilder builder, Path stateDir) throws IOException {
        Process process = builder.redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String jmx = null;
        String jolokia = null;
        StringBuilder seen = new StringBuilder();
        for (String line = out.readLine(); line != null && (jmx == null || jolokia == null); line = out.readLine()) {
            seen.append(line).append('\n');
            String trimmed = line.strip();
            if (trimmed.startsWith("JMX:")) {
                jmx = trimmed.substring(4).strip();
            } else if (trimmed.startsWith("Jolokia:")) {
                jolokia = trimmed.substring(8).strip();
            }
        }
        if (jmx == null || jolokia == null) {
            process.destroyForcibly();
            throw new IOException("the agent did not start; it printed:\n" + seen);
        }
        AgentProcess agent = new AgentProcess(process, new JMXServiceURL(jmx), URI.create(jolokia), stateDir);
        agent.drain(out);
        return agent;
    }

    /** Keeps reading the agent's output so it never blocks on a full pipe; echoes and keeps it for the test. */
    private void drain(BufferedReader out) {
        Thread thread = new Thread(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    output.add(line);
                    System.out.println(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "agent-output");
        thread.setDaemon(true);
        thread.start();
    }

    /** The generated credentials from {@code <state-dir>/credentials}. */
    public String[] credentials() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(stateDir.resolve("credentials"))) {
            properties.load(reader);
        }
        return new String[] {properties.getProperty("user"), properties.getProperty("password")};
    }

    /** Whether the agent has printed a line containing {@code text} since it printed its endpoints. */
    public boolean printed(String text) {
        return output.stream().anyMatch(line -> line.contains(text));
    }

    /** The lines the agent printed since its endpoints. */
    public List<String> output() {
        return List.copyOf(output);
    }

    public long pid() {
        return process.pid();
    }

    public URI jolokiaUrl() {
        return jolokiaUrl;
    }

    public RemoteJmx jmx() throws IOException {
        String[] credentials = credentials();
        return new RemoteJmx(jmxUrl, credentials[0], credentials[1]);
    }

    public JolokiaHttp jolokiaHttp() throws IOException {
        String[] credentials = credentials();
        return new JolokiaHttp(jolokiaUrl, credentials[0], credentials[1]);
    }

    /** SIGKILL: the agent gets no chance to clean up, as in a crash or an OOM kill. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
