package org.renumber.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * A small fleet on one machine, for the Ansible playbook's tests (root needed). Each node is a network namespace
 * ({@code rn-it-fl<random>-n1} ...) with {@code eth0} on a shared LAN, its own packaged agent started inside it (its
 * own state directory, Jolokia and JMX on the node's loopback, ports picked by the kernel) and a real TCP service,
 * Python's {@code http.server} on {@code 0.0.0.0:}{@value #SERVICE_PORT}. The LAN namespace holds the bridge and
 * an address in each subnet the nodes move through ({@code 10.40.S.254/24}), so it plays the remote clients:
 * <pre>
 *   lan:  br0  10.40.0.254/24 10.40.1.254/24 10.40.2.254/24
 *          |  veth p1 ... pN
 *   nI:   eth0 10.40.0.I/24   agent (Jolokia on 127.0.0.1 of nI)   http.server *:8080
 * </pre>
 * Ansible reaches node I as an inventory host with {@code ansible_connection=local} whose shell is
 * {@link #shell(int)}: a wrapper that runs every command of that host inside its namespace, as SSH would run it on
 * the node, so modules talk to the node's agent on the node's loopback and health checks connect from the node.
 * {@link #close()} stops every process and deletes every namespace; call it when set-up fails too.
 */
public final class Fleet implements AutoCloseable {

    public static final String INTERFACE = "eth0";
    public static final int SERVICE_PORT = 8080;

    private final String prefix;
    private final int size;
    private final Path dir;
    private final List<String> namespaces = new ArrayList<>();
    private final List<AgentProcess> agents = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private Fleet(int size) throws IOException {
        this.prefix = "rn-it-fl" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        this.size = size;
        this.dir = Files.createTempDirectory("renumber-fleet-");
    }

    /** Creates {@code size} nodes on subnet 10.40.0.0/24 (node I at 10.40.0.I) and starts their agents and services. */
    public static Fleet create(int size) throws IOException {
        if (!NetNsFixture.isRoot()) {
            throw new IllegalStateException("the fleet tests need root: they create network namespaces");
        }
        Fleet fleet = new Fleet(size);
        try {
            fleet.setUp();
            return fleet;
        } catch (IOException | RuntimeException | Error e) {
            fleet.close();
            throw e;
        }
    }

    private void setUp() throws IOException {
        String lan = lan();
        add(lan);
        NetNsFixture.run("ip", "-n", lan, "link", "add", "br0", "type", "bridge");
        NetNsFixture.run("ip", "-n", lan, "link", "set", "br0", "up");
        for (int subnet = 0; subnet <= 2; subnet++) {
            NetNsFixture.run("ip", "-n", lan, "addr", "add", address(subnet, 254) + "/24", "dev", "br0");
        }
        for (int i = 1; i <= size; i++) {
            String node = node(i);
            add(node);
            NetNsFixture.run("ip", "-n", node, "link", "add", INTERFACE, "type", "veth", "peer", "name", "p" + i,
                    "netns", lan);
            NetNsFixture.run("ip", "-n", lan, "link", "set", "p" + i, "master", "br0", "up");
            NetNsFixture.run("ip", "-n", node, "addr", "add", address(0, i) + "/24", "dev", INTERFACE);
            NetNsFixture.run("ip", "-n", node, "link", "set", INTERFACE, "up");
            Path shell = shell(i);
            Files.writeString(shell, "#!/bin/sh\n# runs this host's commands on node " + i + "\nexec ip netns exec "
                    + node + " /bin/sh \"$@\"\n");
            Files.setPosixFilePermissions(shell, PosixFilePermissions.fromString("rwx------"));
            Files.createDirectories(stateDir(i));
            Files.writeString(dir.resolve("jolokia-" + i + ".properties"), "host=127.0.0.1\nport=0\nagentContext=/jolokia\n");
            processes.add(service(node, Files.createDirectories(dir.resolve("www-" + i))));
        }
        // The agents start together: one JVM after the other would take most of a loaded machine's minute.
        ExecutorService starter = Executors.newFixedThreadPool(size);
        try {
            List<CompletableFuture<AgentProcess>> starting = IntStream.rangeClosed(1, size)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> startAgent(i), starter)).toList();
            RuntimeException failed = null;
            for (CompletableFuture<AgentProcess> agent : starting) {
                try {
                    agents.add(agent.join());
                } catch (CompletionException e) {
                    failed = failed == null ? e : failed;
                }
            }
            if (failed != null) {
                throw failed;
            }
        } finally {
            starter.shutdown();
        }
    }

    private void add(String namespace) {
        NetNsFixture.run("ip", "netns", "add", namespace);
        namespaces.add(namespace);
        NetNsFixture.run("ip", "-n", namespace, "link", "set", "lo", "up");
    }

    private AgentProcess startAgent(int i) {
        try {
            return AgentProcess.startInNamespace(node(i), stateDir(i), "--jolokia-config",
                    dir.resolve("jolokia-" + i + ".properties").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Python's http.server on every address of the node; returns once it listens (it says so after bind). */
    private static Process service(String namespace, Path root) throws IOException {
        Process process = new ProcessBuilder("ip", "netns", "exec", namespace, "python3", "-u", "-m", "http.server",
                "--bind", "0.0.0.0", "--directory", root.toString(), String.valueOf(SERVICE_PORT))
                .redirectErrorStream(true).start();
        return awaitLine(process, "Serving HTTP", "http.server in " + namespace);
    }

    /**
     * A remote client on the LAN holding one idle TCP connection to {@code address}'s service until it is
     * destroyed; returns once connected.
     */
    public Process holdConnection(String address) throws IOException {
        Process process = new ProcessBuilder("ip", "netns", "exec", lan(), "python3", "-u", "-c",
                "import socket, sys, time\n"
                        + "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)\n"
                        + "print('CONNECTED', s.getsockname()[0], flush=True)\n"
                        + "time.sleep(3600)\n", address, String.valueOf(SERVICE_PORT))
                .redirectErrorStream(true).start();
        processes.add(process);
        return awaitLine(process, "CONNECTED", "client of " + address);
    }

    private static Process awaitLine(Process process, String prefix, String what) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            seen.append(line).append('\n');
            if (line.startsWith(prefix)) {
                drain(out);
                return process;
            }
        }
        process.destroyForcibly();
        throw new IOException(what + " did not start; it printed:\n" + seen);
    }

    /** Keeps reading a process's output (an http.server logs every request) so it never blocks on a full pipe. */
    private static void drain(BufferedReader out) {
        Thread thread = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException e) {
                // the process ended
            }
        }, "fleet-process-output");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The HTTP status the node's service answers at {@code address}, asked from the LAN by a new connection, or
     * -1 when nothing answers there.
     */
    public int serviceStatus(String address) {
        try {
            String out = NetNsFixture.run("ip", "netns", "exec", lan(), "python3", "-c",
                    "import sys, urllib.request\n"
                            + "try:\n"
                            + "    print(urllib.request.urlopen(sys.argv[1], timeout=5).status)\n"
                            + "except OSError:\n"
                            + "    print(-1)\n", "http://" + address + ":" + SERVICE_PORT + "/");
            return Integer.parseInt(out.strip());
        } catch (IllegalStateException e) {
            return -1;
        }
    }

    /** The IPv4 addresses of node I's {@code eth0} as {@code ip -j addr} shows them, ADDRESS/PREFIX. */
    public List<String> ipv4(int i) {
        List<String> result = new ArrayList<>();
        String json = NetNsFixture.run("ip", "-j", "-n", node(i), "-4", "addr", "show", "dev", INTERFACE);
        try {
            for (JsonNode link : new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)) {
                for (JsonNode info : link.path("addr_info")) {
                    result.add(info.path("local").asText() + "/" + info.path("prefixlen").asInt());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("ip printed no JSON: " + json, e);
        }
        return result;
    }

    /** 10.40.SUBNET.HOST */
    public static String address(int subnet, int host) {
        return "10.40." + subnet + "." + host;
    }

    public int size() {
        return size;
    }

    public String node(int i) {
        return prefix + "-n" + i;
    }

    public String lan() {
        return prefix + "-lan";
    }

    /** The wrapper that runs a command inside node I's namespace (the host's {@code ansible_shell_executable}). */
    public Path shell(int i) {
        return dir.resolve("node-" + i + ".sh");
    }

    public Path stateDir(int i) {
        return dir.resolve("state-" + i);
    }

    public AgentProcess agent(int i) {
        return agents.get(i - 1);
    }

    /** A scratch directory deleted with the fleet (inventories, playbook output). */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        for (AgentProcess agent : agents) {
            try {
                agent.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Process process : processes) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String namespace : namespaces) {
            try {
                NetNsFixture.run("ip", "netns", "del", namespace);
            } catch (RuntimeException e) {
                // already gone
            }
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; nothing else depends on it
        }
    }
}
