package org.renumber.examples;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Two throw-away namespaces for tests that need the whole product: the server's, managed by the real agent
 * ({@code target/renumber.jar}, a process of its own), where {@code s0} holds {@link #A}; and the client's, where
 * {@code c0} (the veth peer) holds 10.67.0.2, like another node on the link. The agent's pre-started hook points
 * {@link #NAME} at the new address in a hosts file before anything moves; applications in the server's namespace
 * reach the agent on its own loopback. Root needed; everything is removed again on {@link #close()}.
 */
final class AgentNamespace implements AutoCloseable {

    static final String A = "10.67.0.1";
    static final String B = "10.67.0.7";
    static final String NAME = "web.renumber.test";

    private final String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
    final String netns = "rn-it-react-" + id + "-s";
    final String clientNetns = "rn-it-react-" + id + "-c";
    final Path work;
    final Path hosts;
    final Path passwordFile;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    String jolokiaUrl;
    String appJmxUrl;
    String user;
    private String password;

    AgentNamespace() throws IOException {
        work = Files.createTempDirectory("renumber-reactions");
        hosts = work.resolve("hosts");
        passwordFile = work.resolve("password");
    }

    /** Creates the namespace and starts the agent in front of it. */
    AgentNamespace start() throws Exception {
        ip("netns", "add", netns);
        ip("netns", "add", clientNetns);
        ip("-n", netns, "link", "set", "lo", "up");
        ip("-n", clientNetns, "link", "set", "lo", "up");
        ip("-n", netns, "link", "add", "s0", "type", "veth", "peer", "name", "c0", "netns", clientNetns);
        ip("-n", netns, "addr", "add", A + "/24", "dev", "s0");
        ip("-n", clientNetns, "addr", "add", "10.67.0.2/24", "dev", "c0");
        ip("-n", netns, "link", "set", "s0", "up");
        ip("-n", clientNetns, "link", "set", "c0", "up");
        // The services open their new listener during the change's warning, before the address exists.
        run("ip", "netns", "exec", netns, "sysctl", "-q", "-w", "net.ipv4.ip_nonlocal_bind=1");
        Files.writeString(hosts, A + " " + NAME + "\n");

        Path hooks = Files.createDirectories(work.resolve("hooks"));
        Path hook = hooks.resolve("10-dns");
        Files.writeString(hook, "#!/bin/sh\n"
                + "case \"$RENUMBER_EVENT\" in\n"
                + "  pre-started) answer=\"${RENUMBER_NEW_ADDRESS%/*}\" ;;\n"
                + "  cancelled|failed) answer=\"${RENUMBER_OLD_ADDRESS%/*}\" ;;\n"
                + "  *) exit 0 ;;\n"
                + "esac\n"
                + "echo \"$answer " + NAME + "\" >" + hosts + ".new && mv " + hosts + ".new " + hosts + "\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jolokiaConfig = work.resolve("jolokia.properties");
        Files.writeString(jolokiaConfig, "host=127.0.0.1\nport=0\nagentContext=/jolokia\n");

        Path agentLog = startProcess("agent", List.of("java", "-Xmx256m", "-jar", "target/renumber.jar", "agent",
                "--netns", netns, "--state-dir", work.resolve("state").toString(), "--jmx-port", "0",
                "--netns-jmx-port", "9875", "--jolokia-config", jolokiaConfig.toString(), "--hooks-dir",
                hooks.toString()));
        jolokiaUrl = awaitLine(agentLog, Pattern.compile("^\\s*Jolokia:\\s*(\\S+)"), Duration.ofSeconds(120));
        appJmxUrl = awaitLine(agentLog, Pattern.compile("^\\s*JMX for applications inside [^:]*:\\s*(\\S+)"),
                Duration.ofSeconds(10));
        List<String> credentials = Files.readAllLines(work.resolve("state/credentials"));
        user = value(credentials, "user=");
        password = value(credentials, "password=");
        Files.writeString(passwordFile, password + "\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        return this;
    }

    /** Starts {@code command} in the server's namespace; its output goes to {@code WORK/NAME.log}, returned. */
    Path startInNamespace(String name, List<String> command) throws IOException {
        return startIn(netns, name, command);
    }

    /** Starts {@code command} in the client's namespace; its output goes to {@code WORK/NAME.log}, returned. */
    Path startInClientNamespace(String name, List<String> command) throws IOException {
        return startIn(clientNetns, name, command);
    }

    private Path startIn(String namespace, String name, List<String> command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return startProcess(name, full);
    }

    private Path startProcess(String name, List<String> command) throws IOException {
        Path log = work.resolve(name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        return log;
    }

    /** The first group of the first line of {@code log} that matches, waiting up to {@code atMost}. */
    static String awaitLine(Path log, Pattern pattern, Duration atMost) {
        AtomicReference<String> found = new AtomicReference<>();
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!Files.exists(log)) {
                return false;
            }
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    found.set(m.groupCount() > 0 ? m.group(1) : line);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }

    /** The example service ({@code target/renumber-example-http.jar}) inside the namespace, once READY. */
    void startExample(String server, int port) throws IOException {
        Path log = startInNamespace("example-" + server, List.of("java", "-Xmx128m", "-jar",
                "target/renumber-example-http.jar", "--server", server, "--bind", A + ":" + port, "--jmx-url",
                appJmxUrl, "--user", user, "--password-file", passwordFile.toString(), "--subscriber-id",
                "web-" + server));
        awaitLine(log, Pattern.compile("^READY"), Duration.ofSeconds(120));
    }

    /** A Jolokia request's response body. */
    String jolokia(String json) throws IOException, InterruptedException {
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(jolokiaUrl)).header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(150))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * Moves {@code s0} from {@code from} to {@code to} the way the benchmark does: a scheduled change with a
     * warning, so the services open their new listener first and the pre-started hook switches the name; returns
     * the outcome (DRAINED when no connection was left on the old address).
     */
    String change(String from, String to) throws IOException, InterruptedException {
        String id = stringValue(jolokia("{\"type\":\"exec\",\"mbean\":\"renumber:type=AddressChangeService\","
                + "\"operation\":\"scheduleChange\",\"arguments\":[\"s0\",\"" + from + "\",\"" + to + "/24\",\"\",30,10]}"));
        jolokia("{\"type\":\"exec\",\"mbean\":\"renumber:type=AddressChangeService\",\"operation\":\"awaitChange\","
                + "\"arguments\":[\"" + id + "\",120]}");
        return stringValue(jolokia("{\"type\":\"read\",\"mbean\":\"renumber:type=AddressChange,id=" + id
                + "\",\"attribute\":\"Outcome\"}"));
    }

    private static String stringValue(String response) {
        Matcher m = Pattern.compile("\"value\":\"([^\"]*)\"").matcher(response);
        if (!m.find()) {
            throw new IllegalStateException("no string value in the agent's answer: " + response);
        }
        return m.group(1);
    }

    /** The classpath of this test run, for a process of the test's own classes. */
    static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path");
        return path != null ? path : System.getProperty("java.class.path");
    }

    /** What the logs say, for a failure's message. */
    String logs() {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(work)) {
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                all.append("== ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())))
                        .append('\n');
            }
        } catch (IOException e) {
            all.append(e);
        }
        return all.toString();
    }

    @Override
    public void close() throws Exception {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        try {
            run("ip", "netns", "del", netns);
        } finally {
            try {
                run("ip", "netns", "del", clientNetns);
            } catch (IOException e) {
                // not created: the setup failed before
            }
            if (System.getenv("RENUMBER_KEEP_WORK") == null) {
                deleteTree(work.toFile());
            }
        }
    }

    private static void deleteTree(File file) {
        File[] children = file.listFiles();
        if (children != null) {
            for (File child : children) {
                deleteTree(child);
            }
        }
        file.delete();
    }

    private static String value(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()).strip())
                .findFirst().orElseThrow(() -> new IllegalStateException("no " + prefix + " in the credentials file"));
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        run(command.toArray(String[]::new));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
