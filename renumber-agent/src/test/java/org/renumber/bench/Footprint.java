package org.renumber.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * P6, the agent as the operator runs it: {@code packaging/renumber-agent} (the launcher the systemd unit runs, with
 * its JVM options and class archive) managing a throw-away namespace {@code rn-bench-fp-<random>}, its endpoints on
 * free loopback ports. Measured:
 * <ul>
 *   <li>the start: nanoTime before the process is spawned to the first authenticated {@code 200} from Jolokia
 *       (polled every 2 ms); the first start writes the class archive when it stops, the others read it;
 *   <li>idle RSS ({@code VmRSS} of the JVM) {@value #IDLE_SECONDS} s after the first measured start;
 *   <li>calls over one kept-alive connection: a Jolokia read sent on a raw socket, request written to response
 *       fully read (so a Nagle, delayed-ACK or chunking stall shows), and the server must keep the connection;
 *   <li>RSS after those calls and the peak ({@code VmHWM}): the JVM's bounds hold under load.
 * </ul>
 */
final class Footprint {

    static final int IDLE_SECONDS = 5;
    static final long READY_TARGET_MS = 1_000;
    static final long IDLE_RSS_TARGET_MIB = 80;
    static final long PEAK_RSS_TARGET_MIB = 256;
    static final long KEEP_ALIVE_TARGET_MS = 5;
    private static final Path LAUNCHER = Path.of("packaging", "renumber-agent");
    private static final String READ = "{\"type\":\"read\",\"mbean\":\"renumber:type=AddressChangeService\","
            + "\"attribute\":\"Sequence\"}";

    private final Path work;
    private final String namespace;
    private final String password = "bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final Table table;

    private Footprint(Path work, String namespace, Table table) {
        this.work = work;
        this.namespace = namespace;
        this.table = table;
    }

    /** {@code starts} measured starts after the one that writes the archive, then {@code calls} kept-alive calls. */
    static void measure(int starts, int calls, Table table) throws Exception {
        Path work = Files.createTempDirectory("rn-bench-fp-");
        String namespace = "rn-bench-fp-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        run("ip", "netns", "add", namespace);
        try {
            run("ip", "-n", namespace, "link", "set", "lo", "up");
            new Footprint(work, namespace, table).measure(starts, calls);
        } finally {
            run("ip", "netns", "del", namespace);
            run("rm", "-rf", work.toString());
        }
    }

    private void measure(int starts, int calls) throws Exception {
        Samples first = new Samples("first start, no class archive yet (it writes one when it stops)");
        Samples ready = new Samples("JVM start -> Jolokia ready (first authenticated 200), class archive read");
        Samples keepAlive = new Samples(String.format(Locale.ROOT, "Jolokia read over one kept-alive connection "
                + "(%,d calls)", calls));
        try (Agent agent = start(first)) {
            agent.stop();
        }
        long idleKiB = 0;
        long loadedKiB = 0;
        long peakKiB = 0;
        for (int i = 0; i < starts; i++) {
            try (Agent agent = start(ready)) {
                if (i == 0) {
                    TimeUnit.SECONDS.sleep(IDLE_SECONDS);
                    idleKiB = agent.status("VmRSS");
                    agent.keepAliveCalls(calls, keepAlive);
                    loadedKiB = agent.status("VmRSS");
                    peakKiB = agent.status("VmHWM");
                }
                agent.stop();
            }
        }
        table.add("P6", first, Table.Target.NONE);
        table.add("P6", ready, new Table.Target("median < " + READY_TARGET_MS + " ms", Table.Statistic.MEDIAN,
                n -> n < READY_TARGET_MS * 1_000_000));
        table.text("P6", "idle RSS " + IDLE_SECONDS + " s after the first start with the archive (MiB)",
                mib(idleKiB), "< " + IDLE_RSS_TARGET_MIB + " MiB", idleKiB < IDLE_RSS_TARGET_MIB * 1024);
        table.add("P6", keepAlive, new Table.Target("median < " + KEEP_ALIVE_TARGET_MS + " ms",
                Table.Statistic.MEDIAN, n -> n < KEEP_ALIVE_TARGET_MS * 1_000_000));
        table.text("P6", "RSS after those calls, and the peak (VmHWM) (MiB)", mib(loadedKiB) + " / " + mib(peakKiB),
                "peak < " + PEAK_RSS_TARGET_MIB + " MiB", peakKiB < PEAK_RSS_TARGET_MIB * 1024);
    }

    private Agent start(Samples ready) throws Exception {
        Path state = Files.createTempDirectory(work, "state-");
        int port = freePort();
        Path config = work.resolve("jolokia-" + port + ".properties");
        Files.writeString(config, "host=127.0.0.1\nport=" + port + "\nagentContext=/jolokia\nuser=bench\npassword="
                + password + "\n");
        Path cache = Files.createDirectories(work.resolve("cache"));
        ProcessBuilder builder = new ProcessBuilder("sh", LAUNCHER.toAbsolutePath().toString(), "--netns", namespace,
                "--state-dir", state.toString(), "--jolokia-config", config.toString(), "--jmx-port", "0",
                "--hooks-dir", work.resolve("no-hooks").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("agent-" + port + ".log").toFile());
        builder.environment().put("RENUMBER_CDS_DIR", cache.toString());
        builder.environment().remove("RENUMBER_JAVA_OPTS");
        long spawned = System.nanoTime();
        Agent agent = new Agent(builder.start(), port);
        try {
            agent.awaitReady(spawned);
            ready.add(System.nanoTime() - spawned);
            return agent;
        } catch (IOException | RuntimeException e) {
            agent.close();
            throw e;
        }
    }

    /** One agent process and its Jolokia port. */
    private final class Agent implements AutoCloseable {
        private final Process process;
        private final int port;

        Agent(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        void awaitReady(long spawned) throws IOException {
            long deadline = spawned + TimeUnit.SECONDS.toNanos(RenumberBenchmark.PATIENCE_SECONDS);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the agent ended with status " + process.exitValue() + "; see "
                            + work.resolve("agent-" + port + ".log"));
                }
                try (Socket socket = connect()) {
                    if (exchange(socket, new BufferedInputStream(socket.getInputStream()), "GET", "/jolokia/version",
                            "").startsWith("HTTP/1.1 200")) {
                        return;
                    }
                } catch (ConnectException e) {
                    // not listening yet
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            throw new IllegalStateException("Jolokia not ready within " + RenumberBenchmark.PATIENCE_SECONDS + " s");
        }

        void keepAliveCalls(int calls, Samples samples) throws IOException {
            try (Socket socket = connect()) {
                InputStream in = new BufferedInputStream(socket.getInputStream());
                for (int i = 0; i < calls + 20; i++) {
                    long start = System.nanoTime();
                    String response = exchange(socket, in, "POST", "/jolokia", READ);
                    long took = System.nanoTime() - start;
                    if (!response.startsWith("HTTP/1.1 200") || !response.contains("\"status\":200")) {
                        throw new IllegalStateException("Jolokia read failed: " + response);
                    }
                    if (i >= 20) { // the first calls warm up the handlers
                        samples.add(took);
                    }
                }
            }
        }

        /** A line of /proc/PID/status in KiB, e.g. VmRSS. */
        long status(String key) throws IOException {
            return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
                    .filter(l -> l.startsWith(key + ":"))
                    .map(l -> Long.parseLong(l.substring(key.length() + 1).replace("kB", "").strip()))
                    .findFirst().orElseThrow(() -> new IOException("no " + key + " for pid " + process.pid()));
        }

        /** SIGTERM, as systemctl stop sends it; the JVM writes the class archive before it ends. */
        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(RenumberBenchmark.PATIENCE_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the agent did not stop within " + RenumberBenchmark.PATIENCE_SECONDS
                        + " s of SIGTERM");
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        private Socket connect() throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            socket.setSoTimeout(30_000);
            return socket;
        }

        /** One HTTP/1.1 request on {@code socket}, its response read in full (Content-Length or chunked). */
        private String exchange(Socket socket, InputStream in, String method, String path, String body)
                throws IOException {
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Basic "
                    + Base64.getEncoder().encodeToString(("bench:" + password).getBytes(StandardCharsets.UTF_8))
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + content.length + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
            byte[] request = new byte[headBytes.length + content.length];
            System.arraycopy(headBytes, 0, request, 0, headBytes.length);
            System.arraycopy(content, 0, request, headBytes.length, content.length);
            out.write(request); // one write: the request leaves in one segment
            out.flush();
            return HttpResponses.read(in);
        }
    }

    private static String mib(long kib) {
        return String.format(Locale.ROOT, "%.1f", kib / 1024.0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(List.of(command) + " failed: " + output);
        }
    }

    /** Reads one HTTP/1.1 response: the status line, the headers, and a Content-Length or chunked body. */
    static final class HttpResponses {
        private HttpResponses() {
        }

        static String read(InputStream in) throws IOException {
            List<String> headers = new ArrayList<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                headers.add(line);
            }
            if (headers.isEmpty()) {
                throw new IOException("no response");
            }
            StringBuilder body = new StringBuilder();
            String length = header(headers, "content-length");
            if (length != null) {
                body.append(new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8));
            } else if ("chunked".equalsIgnoreCase(header(headers, "transfer-encoding"))) {
                for (int size = Integer.parseInt(line(in).split(";")[0].strip(), 16); size > 0;
                        size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) {
                    body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                    line(in);
                }
                line(in);
            } else {
                throw new IOException("a response without length on a kept-alive connection: " + headers);
            }
            if ("close".equalsIgnoreCase(header(headers, "connection"))) {
                throw new IOException("the server closes the kept-alive connection: " + headers);
            }
            return headers.get(0) + "\n" + body;
        }

        private static String header(List<String> headers, String name) {
            return headers.stream().skip(1).filter(h -> h.toLowerCase(Locale.ROOT).startsWith(name + ":"))
                    .map(h -> h.substring(name.length() + 1).strip()).findFirst().orElse(null);
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("the connection closed mid-response");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }
}
