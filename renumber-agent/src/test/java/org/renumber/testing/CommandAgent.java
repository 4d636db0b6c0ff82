package org.renumber.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;

/**
 * What the {@code renumber} command's tests run against: a pair of fresh namespaces ({@link NetNsFixture}), the
 * packaged agent managing the first one with its own state directory and a Jolokia on a free loopback port, the
 * command pointed at it, and the peers a test starts. {@link #close} stops and deletes all of it, in reverse order,
 * also when the test failed half-way.
 */
public final class CommandAgent implements AutoCloseable {

    private final NetNsFixture net;
    private final Path stateDir;
    private final Path jolokiaConfig;
    private final AgentProcess agent;
    private final RenumberCommand renumber;
    private final Deque<AutoCloseable> kept = new ArrayDeque<>();

    private CommandAgent(NetNsFixture net, Path stateDir, Path jolokiaConfig, AgentProcess agent) {
        this.net = net;
        this.stateDir = stateDir;
        this.jolokiaConfig = jolokiaConfig;
        this.agent = agent;
        this.renumber = new RenumberCommand(agent.jolokiaUrl().toString(), stateDir);
    }

    /** Namespaces named {@code namePrefix} and a random suffix; the agent manages {@link NetNsFixture#a()}. */
    public static CommandAgent start(String namePrefix) throws Exception {
        NetNsFixture net = NetNsFixture.create(namePrefix);
        Path stateDir = null;
        Path jolokiaConfig = null;
        try {
            stateDir = Files.createTempDirectory("renumber-state-");
            jolokiaConfig = Files.createTempFile("renumber-jolokia-", ".properties");
            Files.writeString(jolokiaConfig, "host=127.0.0.1\nport=0\nagentContext=/jolokia\n");
            AgentProcess agent = AgentProcess.start(stateDir, "--netns", net.a(), "--jolokia-config",
                    jolokiaConfig.toString(), "--hooks-dir", stateDir.resolve("no-hooks").toString());
            return new CommandAgent(net, stateDir, jolokiaConfig, agent);
        } catch (Exception | Error e) {
            net.close();
            deleteQuietly(stateDir, jolokiaConfig);
            throw e;
        }
    }

    public NetNsFixture net() {
        return net;
    }

    public AgentProcess agent() {
        return agent;
    }

    public RenumberCommand renumber() {
        return renumber;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path jolokiaConfig() {
        return jolokiaConfig;
    }

    /** Closes {@code resource} with the fixture, before the agent and the namespaces (last kept, first closed). */
    public <T extends AutoCloseable> T keep(T resource) {
        kept.push(resource);
        return resource;
    }

    /** A server in the managed namespace, listening on {@code address}:7000. */
    public NetNsPeer server(String address) throws IOException {
        return keep(NetNsPeer.start(net.a(), NetNsPeer.Stack.DUAL, "READY", "server", address, "7000"));
    }

    /** {@code count} connections from the peer namespace to {@code address}:7000; {@code ask("close")} ends them. */
    public NetNsPeer clients(String address, int count) throws IOException {
        return keep(NetNsPeer.start(net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", address, "7000",
                String.valueOf(count)));
    }

    @Override
    public void close() throws Exception {
        try {
            while (!kept.isEmpty()) {
                kept.pop().close();
            }
            agent.close();
        } finally {
            net.close();
            deleteQuietly(stateDir, jolokiaConfig);
        }
    }

    private static void deleteQuietly(Path stateDir, Path jolokiaConfig) throws IOException {
        if (jolokiaConfig != null) {
            Files.deleteIfExists(jolokiaConfig);
        }
        if (stateDir != null && Files.exists(stateDir)) {
            try (var files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
