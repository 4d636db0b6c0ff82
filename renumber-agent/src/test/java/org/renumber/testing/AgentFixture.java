package org.renumber.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.renumber.cli.Agent;
import org.renumber.cli.AgentOptions;

/**
 * A real agent in this JVM managing the namespace A of a fresh {@link NetNsFixture}, with its JMX connector
 * and Jolokia on free loopback ports, and a second JMX connector on A's loopback for applications running in A. Tests drive it only through remote clients. {@link #stop()} then
 * {@link #start()} restarts it on the same state directory and JMX port, as an operator restarts the agent.
 */
public final class AgentFixture implements AutoCloseable {

    public final NetNsFixture net;
    public final Path stateDir;
    public final Path jolokiaConfig;
    private Agent agent;
    private final java.util.Deque<AutoCloseable> kept = new java.util.ArrayDeque<>();
    /** The JMX ports of the first start, kept for restarts so clients can reconnect to the same URLs. */
    private int jmxPort;
    private int netnsJmxPort;

    private final Path hooksDir;

    public AgentFixture(String namePrefix) {
        this(namePrefix, null);
    }

    /** An agent that runs the dispatcher hooks in {@code hooksDir}. */
    public AgentFixture(String namePrefix, Path hooksDir) {
        this.hooksDir = hooksDir;
        net = NetNsFixture.create(namePrefix);
        try {
            stateDir = Files.createTempDirectory("renumber-state-");
            jolokiaConfig = Files.createTempFile("renumber-jolokia-", ".properties");
            Files.writeString(jolokiaConfig, "host=127.0.0.1\nport=0\nagentContext=/jolokia\n");
            start();
        } catch (IOException | RuntimeException e) {
            close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    public void start() throws IOException {
        agent = Agent.start(new AgentOptions(net.a(), stateDir, jolokiaConfig, "127.0.0.1", jmxPort, netnsJmxPort,
                hooksDir));
        jmxPort = agent.jmx().port();
        netnsJmxPort = agent.netnsJmx().port();
    }

    public void stop() {
        if (agent != null) {
            agent.close();
            agent = null;
        }
    }

    /** Closes {@code resource} (a peer process, a client) before the agent and the namespaces go. */
    public <T extends AutoCloseable> T keep(T resource) {
        kept.push(resource);
        return resource;
    }

    public Agent agent() {
        return agent;
    }

    public RemoteJmx jmx() throws IOException {
        return new RemoteJmx(agent.jmx().url(), agent.credentials().user(), agent.credentials().password());
    }

    public JolokiaHttp jolokiaHttp() {
        return new JolokiaHttp(agent.jolokia().url(), agent.credentials().user(), agent.credentials().password());
    }

    @Override
    public void close() {
        while (!kept.isEmpty()) {
            try {
                kept.pop().close();
            } catch (Exception e) {
                // the next resource and the namespaces must still go
            }
        }
        stop();
        if (net != null) {
            net.close();
        }
        deleteQuietly(stateDir);
        deleteQuietly(jolokiaConfig);
    }

    static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try (var walk = Files.walk(path)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp file left behind is harmless
        }
    }
}
