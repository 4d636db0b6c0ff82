package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.renumber.cli.Agent;
import org.renumber.cli.AgentOptions;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeState;
import org.renumber.linux.LinuxNetns;
import org.renumber.service.AddressChangeService;
import org.renumber.testing.AddressWatcher;
import org.renumber.testing.AgentProcess;
import org.renumber.testing.JolokiaHttp;
import org.renumber.testing.NetNsFixture;

/**
 * One run of a {@link FaultScenario}: the packaged agent, started with the test seam set to one point, is asked for
 * the change, stops at that point and is killed (SIGKILL); an agent started again on the same state directory (in
 * this JVM, so its service can be asked directly) must then end the change as the scenario expects. Meanwhile an
 * {@link AddressWatcher} samples the interface every 10 ms. With {@link #TRACE}, the first agent runs the change to
 * its end instead and the points it passed are returned.
 */
final class FaultCase implements AutoCloseable {

    static final String TRACE = "trace";
    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String SUBSCRIBER = "app";
    private static final Duration LONG = Duration.ofSeconds(90);
    /** Small and quick to start, as in AgentProcess.startInNamespace: one agent JVM per case. */
    private static final List<String> JVM = List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xshare:auto");

    private final FaultScenario scenario;
    private final NetNsFixture net;
    private final Path dir;
    private final List<AutoCloseable> resources = new ArrayList<>();

    private FaultCase(FaultScenario scenario, NetNsFixture net, Path dir) {
        this.scenario = scenario;
        this.net = net;
        this.dir = dir;
    }

    static FaultCase create(FaultScenario scenario) throws IOException {
        NetNsFixture net = NetNsFixture.create("rn-it-fault-");
        try {
            return new FaultCase(scenario, net, Files.createTempDirectory("renumber-fault-"));
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /** Kills the agent at {@code point} ({@code NAME#n:before|after}) and checks the restart; the trace for TRACE. */
    List<String> run(String point) throws Exception {
        scenario.prepare(net);
        Path hooks = hooksDirectory();
        Path jolokia = Files.writeString(dir.resolve("jolokia.properties"), "host=127.0.0.1\nport=0\n");
        Path state = dir.resolve("state");
        FaultKernel before = FaultKernel.of(net);
        if (scenario.holdConnection()) {
            holdConnection();
        }
        AddressWatcher watcher = keep(AddressWatcher.start(net.a(), NetNsFixture.IF_A, scenario.family()));
        List<String> trace = new ArrayList<>();
        String id;
        try (AgentProcess agent = AgentProcess.start(withSeam(point), state, "--netns", net.a(),
                "--jolokia-config", jolokia.toString(), "--hooks-dir", hooks.toString())) {
            id = request(agent.jolokiaHttp());
            if (point.equals(TRACE)) {
                JsonNode ended = agent.jolokiaHttp().exec(SERVICE, "awaitChange", id, 60);
                assertThat(ended.path("value").asText()).as("uninterrupted: %s", ended).isEqualTo(scenario.expected().name());
                agent.output().stream().filter(l -> l.contains("renumber.test: passed "))
                        .forEach(l -> trace.add(l.substring(l.indexOf("passed ") + "passed ".length()).strip()));
            } else {
                await("agent paused at " + point).atMost(LONG)
                        .until(() -> agent.printed("renumber.test: paused at " + point));
                agent.kill();
            }
        }
        restartAndAwaitTheEnd(state, jolokia, hooks, id);
        watcher.close();
        assertThat(watcher.errors()).as("watcher errors").isEmpty();
        assertThat(watcher.gaps()).as("samples without a usable %s address", scenario.family()).isEmpty();
        assertThat(watcher.samples()).as("samples taken").isGreaterThan(10);
        before.assertLeftAsExpected(net, scenario);
        return trace;
    }

    private void restartAndAwaitTheEnd(Path state, Path jolokia, Path hooks, String id) throws Exception {
        AgentOptions options = new AgentOptions(net.a(), state, jolokia, "127.0.0.1", 0, AgentOptions.NO_NETNS_JMX,
                hooks);
        try (Agent agent = Agent.start(options)) {
            AddressChangeService service = agent.service();
            if (scenario.whileDraining() == FaultScenario.WhileDraining.CANCEL) {
                // The operator's cancel may have died with the agent before it was journaled: they ask again.
                await().atMost(LONG).until(() -> cancelTaken(service, id));
            }
            await("the change ends").atMost(LONG).until(() -> service.activeChanges().isEmpty());
            Change ended = service.change(id).orElseThrow();
            assertThat(ended.progress().state()).as("%s ended: %s", id, ended.progress().error()).isEqualTo(scenario.expected());
            assertThat(ended.progress().steps().guardApplied()).as("guard released").isFalse();
            if (scenario.forceClose()) {
                assertThat(ended.progress().steps().forceClosed()).as("force-closed at the deadline, as asked").isNotNull();
            }
            assertThat(service.subscribers().find(SUBSCRIBER)).as("subscription survived").isPresent();
            assertThat(service.activeChanges()).as("reservations left").isEmpty();
        }
    }

    private static boolean cancelTaken(AddressChangeService service, String id) throws InterruptedException {
        Change now = service.change(id).orElseThrow();
        if (now.isFinished() || now.progress().steps().rollbackPending()) {
            return true;
        }
        if (now.progress().state() == ChangeState.DRAINING) {
            try {
                service.cancelChange(id);
            } catch (IllegalStateException e) {
                // already rolling back, or ended meanwhile: the next look says which
            }
        }
        return false;
    }

    private String request(JolokiaHttp http) throws Exception {
        assertThat(http.exec(SERVICE, "subscribe", SUBSCRIBER, "web", "").path("status").asInt()).isEqualTo(200);
        write(http, "GuardNewConnections", scenario.guard());
        write(http, "ForceCloseAtDeadline", scenario.forceClose());
        String target = scenario.newAddress() + "/" + scenario.prefix();
        JsonNode accepted = scenario.warningSeconds() > 0
                ? http.exec(SERVICE, "scheduleChange", NetNsFixture.IF_A, scenario.oldAddress(), target, "",
                        scenario.drainSeconds(), scenario.warningSeconds())
                : http.exec(SERVICE, "changeAddress", NetNsFixture.IF_A, scenario.oldAddress(), target, "",
                        scenario.drainSeconds());
        assertThat(accepted.path("status").asInt()).as("%s", accepted).isEqualTo(200);
        String id = accepted.path("value").asText();
        if (scenario.whileDraining() != FaultScenario.WhileDraining.NOTHING) {
            String mbean = "renumber:type=AddressChange,id=" + id;
            await().atMost(LONG).until(() -> "DRAINING".equals(http.post(Map.of("type", "read", "mbean", mbean,
                    "attribute", "State")).path("value").asText()));
            if (scenario.whileDraining() == FaultScenario.WhileDraining.DELETE_NEW_ADDRESS) {
                net.ip(net.a(), "addr", "del", target, "dev", NetNsFixture.IF_A);
            } else {
                // cancelChange waits for the rollback, which the seam may stop for good: asked without waiting.
                CompletableFuture.runAsync(() -> {
                    try {
                        http.exec(SERVICE, "cancelChange", id);
                    } catch (IOException | InterruptedException e) {
                        // the agent was killed meanwhile
                    }
                });
            }
        }
        return id;
    }

    private static void write(JolokiaHttp http, String attribute, boolean value) throws Exception {
        JsonNode written = http.post(Map.of("type", "write", "mbean", SERVICE, "attribute", attribute, "value", value));
        assertThat(written.path("status").asInt()).as("%s", written).isEqualTo(200);
    }

    private static List<String> withSeam(String point) {
        List<String> options = new ArrayList<>(JVM);
        options.add("-Drenumber.test.pauseAt=" + point);
        return options;
    }

    /** A pre-started hook that refuses the change when the scenario asks for a failure; an empty directory if not. */
    private Path hooksDirectory() throws IOException {
        Path hooks = Files.createDirectories(dir.resolve("hooks"));
        if (scenario.failingHook()) {
            Path hook = hooks.resolve("10-refuse");
            Files.writeString(hook, "#!/bin/sh\n[ \"$2\" = pre-started ] && { echo refused by test >&2; exit 1; }\n"
                    + "exit 0\n");
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return hooks;
    }

    /** A TCP connection to the old address, from namespace b, held by this JVM for the whole case. */
    private void holdConnection() throws IOException {
        InetAddress old = InetAddress.getByName(scenario.oldAddress());
        InetAddress client = InetAddress.getByName(NetNsFixture.ADDRESS_B);
        try (LinuxNetns a = LinuxNetns.open(net.a()); LinuxNetns b = LinuxNetns.open(net.b())) {
            ServerSocket server = keep(a.call(() -> new ServerSocket(0, 1, old)));
            keep(b.call(() -> {
                Socket socket = new Socket();
                socket.bind(new InetSocketAddress(client, 0));
                socket.connect(new InetSocketAddress(old, server.getLocalPort()), 10_000);
                return socket;
            }));
            keep(server.accept());
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        List<AutoCloseable> newestFirst = new ArrayList<>(resources);
        java.util.Collections.reverse(newestFirst);
        for (AutoCloseable resource : newestFirst) {
            try {
                resource.close();
            } catch (Exception e) {
                // closing what is left of a failed case
            }
        }
        net.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    public String toString() {
        return scenario + " in " + net + " " + Arrays.asList(dir);
    }
}
