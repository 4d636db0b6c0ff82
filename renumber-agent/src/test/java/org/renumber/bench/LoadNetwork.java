package org.renumber.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URISyntaxException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.LinuxNetns;
import org.renumber.testing.NetNsFixture;

/**
 * The benchmark's network: two fresh namespaces from {@link NetNsFixture} (names {@code rn-bench-<random>-a/-b})
 * where A, the namespace the agent manages, holds the connections:
 * <pre>
 *   A (managed)                                  B (peers)
 *   v0 10.9.0.1/24  target address  ------------ v1 10.9.0.2/24   :7000  peer of the 10 target connections
 *      10.9.1.1..K/24  load sources ------------    10.9.1.254/24 :20001-20004  load listeners (never accept)
 * </pre>
 * Every connection has exactly one socket in A (the client end). The load's client ends live in several
 * {@link ConnectionHolder} JVMs (at most {@value #PER_HOLDER} each: the open-file hard limit is 20,000); the
 * server ends stay in B's accept queues, which hold established connections without any file descriptor, so
 * B needs no holder at all. The 10 target connections are opened by this JVM from a thread inside A, so the
 * benchmark itself closes them and timestamps the close. Namespaces, processes and sockets go in
 * {@link #close()}, which a shutdown hook also runs if the JVM is stopped.
 */
final class LoadNetwork implements AutoCloseable {

    static final InetAddress PEER = IpLiterals.parse(NetNsFixture.ADDRESS_B);
    static final int PEER_PORT = 7000;
    static final InetAddress LOAD_SERVER = IpLiterals.parse("10.9.1.254");
    static final int[] LOAD_PORTS = {20001, 20002, 20003, 20004};
    static final int PER_HOLDER = 19_000;
    /** Connections per load source address: a fraction of the 64,512 ports of the widened range. */
    static final int PER_SOURCE = 8_000;
    private static final long SETUP_TIMEOUT_SECONDS = 600;

    private final NetNsFixture fixture;
    private final List<AutoCloseable> sockets = new ArrayList<>();
    private final List<Process> holders = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::closeQuietly, "renumber-bench-cleanup");
    private LinuxNetns inA;
    private LinuxNetns inB;
    private ServerSocket peerServer;
    private int loadConnections;
    private int loadSources;
    private long namespacesMillis;
    private long connectMillis;

    private LoadNetwork(NetNsFixture fixture) {
        this.fixture = fixture;
    }

    /** Builds the namespaces and establishes {@code loadConnections} background connections in A. */
    static LoadNetwork create(int loadConnections, PrintStream out) throws IOException, InterruptedException {
        long start = System.nanoTime();
        LoadNetwork network = new LoadNetwork(NetNsFixture.create("rn-bench-"));
        Runtime.getRuntime().addShutdownHook(network.shutdownHook);
        try {
            network.configure(loadConnections);
            network.namespacesMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            out.printf("setup: namespaces %s / %s ready in %d ms; connecting %,d load connections...%n",
                    network.fixture.a(), network.fixture.b(), network.namespacesMillis, loadConnections);
            out.flush();
            long connectStart = System.nanoTime();
            network.startHolders();
            network.connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStart);
            return network;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            network.close();
            throw e;
        }
    }

    private void configure(int load) throws IOException {
        this.loadConnections = load;
        String a = fixture.a();
        String b = fixture.b();
        // Per-namespace sysctls: a wide ephemeral range in A, deep accept/SYN queues in B.
        int backlog = Math.max(4096, load / LOAD_PORTS.length + 4096);
        fixture.setSysctl(a, "net.ipv4.ip_local_port_range", "1024 65535");
        fixture.setSysctl(b, "net.core.somaxconn", Integer.toString(backlog));
        fixture.setSysctl(b, "net.ipv4.tcp_max_syn_backlog", Integer.toString(backlog));

        loadSources = load == 0 ? 0 : Math.max(2, (load + PER_SOURCE - 1) / PER_SOURCE);
        if (loadSources > 250) {
            throw new IllegalArgumentException("at most " + 250 * PER_SOURCE + " load connections are supported");
        }
        StringBuilder batch = new StringBuilder();
        for (int i = 1; i <= loadSources; i++) {
            batch.append("addr add 10.9.1.").append(i).append("/24 dev ").append(NetNsFixture.IF_A).append('\n');
        }
        if (loadSources > 0) {
            Path file = Files.createTempFile("renumber-bench-ip", ".batch");
            try {
                Files.writeString(file, batch.toString(), StandardCharsets.US_ASCII);
                fixture.ip(a, "-batch", file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
            fixture.ip(b, "addr", "add", LOAD_SERVER.getHostAddress() + "/24", "dev", NetNsFixture.IF_B);
        }

        inA = LinuxNetns.open(a);
        inB = LinuxNetns.open(b);
        // Sockets belong to the namespace of the thread that creates them: create on the namespace threads.
        peerServer = inB.call(() -> {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(PEER, PEER_PORT), 128);
            server.setSoTimeout(10_000);
            return server;
        });
        sockets.add(peerServer);
        if (load > 0) {
            for (int port : LOAD_PORTS) {
                sockets.add(inB.call(() -> {
                    ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
                    listener.bind(new InetSocketAddress(LOAD_SERVER, port), backlog);
                    return listener;
                }));
            }
        }
    }

    /** Starts the holder JVMs at once (they connect in parallel) and waits until all of them are connected. */
    private void startHolders() throws IOException, InterruptedException {
        if (loadConnections == 0) {
            return;
        }
        int count = Math.max(2, (loadConnections + PER_HOLDER - 1) / PER_HOLDER);
        count = Math.min(count, loadConnections);
        StringBuilder sources = new StringBuilder();
        for (int i = 1; i <= loadSources; i++) {
            sources.append(i == 1 ? "" : ",").append("10.9.1.").append(i);
        }
        StringBuilder ports = new StringBuilder();
        for (int port : LOAD_PORTS) {
            ports.append(ports.length() == 0 ? "" : ",").append(port);
        }
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int share = loadConnections / count + (i < loadConnections % count ? 1 : 0);
            List<String> command = List.of("ip", "netns", "exec", fixture.a(), javaBinary(),
                    "-Xmx128m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-XX:-UsePerfData", "-cp", testClasses(), ConnectionHolder.class.getName(),
                    LOAD_SERVER.getHostAddress(), ports.toString(), sources.toString(), Integer.toString(share));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            holders.add(process);
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            CompletableFuture<String> answer = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    String line = reader.readLine();
                    answer.complete(line == null ? "ERROR holder exited with status " + process.waitFor() : line);
                } catch (IOException | InterruptedException e) {
                    answer.complete("ERROR " + e);
                }
            }, "renumber-bench-holder-" + i);
            thread.setDaemon(true);
            thread.start();
            answers.add(answer);
        }
        int connected = 0;
        for (CompletableFuture<String> answer : answers) {
            String line;
            try {
                line = answer.get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("a connection holder did not answer in " + SETUP_TIMEOUT_SECONDS + " s", e);
            }
            if (!line.startsWith("CONNECTED ")) {
                throw new IllegalStateException("a connection holder failed: " + line);
            }
            connected += Integer.parseInt(line.split(" ")[1]);
        }
        if (connected != loadConnections) {
            throw new IllegalStateException("holders connected " + connected + " of " + loadConnections);
        }
    }

    /** Opens {@code count} connections from {@code source} in A to the peer in B; client ends first, then server ends. */
    Connections connect(InetAddress source, int count) throws IOException {
        List<Socket> clients = inA.call(() -> {
            List<Socket> opened = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket();
                opened.add(socket);
                socket.bind(new InetSocketAddress(source, 0));
                socket.connect(new InetSocketAddress(PEER, PEER_PORT), 5_000);
                socket.setSoTimeout(10_000);
            }
            return opened;
        });
        List<Socket> servers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            servers.add(peerServer.accept());
        }
        return new Connections(clients, servers);
    }

    /** Connections opened by {@link #connect}: {@code clients} in A (on the target address), {@code servers} in B. */
    record Connections(List<Socket> clients, List<Socket> servers) implements AutoCloseable {
        @Override
        public void close() {
            for (Socket socket : servers) {
                closeQuietly(socket);
            }
            for (Socket socket : clients) {
                closeQuietly(socket);
            }
        }
    }

    String managedNamespace() {
        return fixture.a();
    }

    String peerNamespace() {
        return fixture.b();
    }

    /** A thread inside A: anything that must run in the managed namespace (spawning ss, reading /proc/net). */
    LinuxNetns inA() {
        return inA;
    }

    LinuxNetns inB() {
        return inB;
    }

    int holderCount() {
        return holders.size();
    }

    int loadSources() {
        return loadSources;
    }

    long namespacesMillis() {
        return namespacesMillis;
    }

    long connectMillis() {
        return connectMillis;
    }

    /** {@code TCP: inuse N ...} from the namespace's {@code /proc/net/sockstat}, as seen by a thread inside it. */
    static int tcpInUse(LinuxNetns netns) {
        String sockstat = netns == null
                ? read(Path.of("/proc/thread-self/net/sockstat"))
                : netns.call(() -> Files.readString(Path.of("/proc/thread-self/net/sockstat")));
        for (String line : sockstat.split("\n")) {
            if (line.startsWith("TCP:")) {
                String[] words = line.split("\\s+");
                for (int i = 1; i + 1 < words.length; i++) {
                    if (words[i].equals("inuse")) {
                        return Integer.parseInt(words[i + 1]);
                    }
                }
            }
        }
        return -1;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The directory (or jar) holding the test classes: the holder needs nothing else. */
    private static String testClasses() {
        try {
            return Path.of(ConnectionHolder.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code ip ARGS} inside the managed namespace A (benchmark setup only). */
    void ipInManaged(String... args) {
        fixture.ip(fixture.a(), args);
    }

    @Override
    public void close() {
        closeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook runs this anyway
        }
    }

    /** Holders first (EOF on stdin makes them exit), then sockets, namespace threads, and the namespaces. */
    private void closeQuietly() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Process holder : holders) {
            try {
                holder.getOutputStream().close();
            } catch (IOException e) {
                // it is going anyway
            }
        }
        for (Process holder : holders) {
            try {
                if (!holder.waitFor(20, TimeUnit.SECONDS)) {
                    holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                holder.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (AutoCloseable socket : sockets) {
            closeQuietly(socket);
        }
        closeQuietly(inA);
        closeQuietly(inB);
        fixture.close();
    }

    static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            // best effort: the namespaces are deleted next anyway
        }
    }
}
