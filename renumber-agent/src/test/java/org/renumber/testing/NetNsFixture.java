package org.renumber.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Two fresh network namespaces joined by a veth pair, for tests against the real kernel (root needed):
 * <pre>
 *   a():  lo up,  v0  10.9.0.1/24  2001:db8:9::1/64 (nodad)
 *              |  veth
 *   b():  lo up,  v1  10.9.0.2/24  2001:db8:9::2/64 (nodad)
 * </pre>
 * Names are unique per fixture ({@code rn-test-<random>-a} and {@code -b}) so tests may run in parallel; the
 * veth pair is created directly inside the namespaces, so the host's own namespace is never touched.
 * {@link #close()} deletes both namespaces (and with them the veth pair); use try-with-resources or
 * {@code @AfterEach} so that happens when a test fails too.
 *
 * <p>Helpers run commands in a namespace ({@link #exec}), read iproute2's JSON ({@link #ipJson}) and the
 * addresses of an interface as {@code ip} shows them ({@link #addresses}). They throw on a non-zero exit
 * status with the command's stderr in the message.
 */
public final class NetNsFixture implements AutoCloseable {

    public static final String IF_A = "v0";
    public static final String IF_B = "v1";
    public static final String ADDRESS_A = "10.9.0.1";
    public static final String ADDRESS_B = "10.9.0.2";
    public static final int PREFIX = 24;
    public static final String ADDRESS6_A = "2001:db8:9::1";
    public static final String ADDRESS6_B = "2001:db8:9::2";
    public static final int PREFIX6 = 64;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final File DEV_NULL = new File("/dev/null");
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    private final String a;
    private final String b;
    private final List<String> created = new ArrayList<>();

    private NetNsFixture(String prefix) {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        this.a = prefix + id + "-a";
        this.b = prefix + id + "-b";
    }

    /** Creates the two namespaces with names {@code rn-test-<random>-a/-b}; skips the test when not root. */
    public static NetNsFixture create() {
        return create("rn-test-");
    }

    /** As {@link #create()} with another name prefix (CI deletes leftovers of {@code rn-test-} and {@code rn-it-}). */
    public static NetNsFixture create(String namePrefix) {
        if (!isRoot()) {
            throw new IllegalStateException("these tests need root: they create network namespaces (run the README test command as root)");
        }
        NetNsFixture fixture = new NetNsFixture(namePrefix);
        try {
            fixture.setUp();
            return fixture;
        } catch (RuntimeException | Error e) {
            fixture.close();
            throw e;
        }
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name")) || "0".equals(runQuietly("id", "-u").strip());
    }

    private void setUp() {
        for (String ns : List.of(a, b)) {
            run("ip", "netns", "add", ns);
            created.add(ns);
            ip(ns, "link", "set", "lo", "up");
        }
        ip(a, "link", "add", IF_A, "type", "veth", "peer", "name", IF_B, "netns", b);
        ip(a, "addr", "add", ADDRESS_A + "/" + PREFIX, "brd", "+", "dev", IF_A);
        ip(b, "addr", "add", ADDRESS_B + "/" + PREFIX, "brd", "+", "dev", IF_B);
        ip(a, "addr", "add", ADDRESS6_A + "/" + PREFIX6, "dev", IF_A, "nodad");
        ip(b, "addr", "add", ADDRESS6_B + "/" + PREFIX6, "dev", IF_B, "nodad");
        ip(a, "link", "set", IF_A, "up");
        ip(b, "link", "set", IF_B, "up");
    }

    /** Namespace A (interface {@value #IF_A}). */
    public String a() {
        return a;
    }

    /** Namespace B (interface {@value #IF_B}). */
    public String b() {
        return b;
    }

    /** Runs {@code command} inside namespace {@code ns} ({@code ip netns exec}) and returns its stdout. */
    public String exec(String ns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(command));
        return run(full);
    }

    /** {@code ip -n NS ARGS...}; returns stdout. */
    public String ip(String ns, String... args) {
        List<String> full = new ArrayList<>(List.of("ip", "-n", ns));
        full.addAll(List.of(args));
        return run(full);
    }

    /** {@code ip -j -n NS ARGS...} parsed, e.g. {@code ipJson(a(), "addr", "show", "dev", "v0")}. */
    public JsonNode ipJson(String ns, String... args) {
        List<String> full = new ArrayList<>(List.of("ip", "-j", "-n", ns));
        full.addAll(List.of(args));
        String out = run(full);
        try {
            return JSON.readTree(out.isBlank() ? "[]" : out);
        } catch (IOException e) {
            throw new UncheckedIOException("ip printed no JSON: " + out, e);
        }
    }

    /** The addresses of {@code dev} as {@code ADDRESS/PREFIX}, in kernel order, from {@code ip -j addr show dev DEV}. */
    public List<String> addresses(String ns, String dev) {
        List<String> result = new ArrayList<>();
        for (JsonNode link : ipJson(ns, "addr", "show", "dev", dev)) {
            for (JsonNode info : link.path("addr_info")) {
                result.add(info.path("local").asText() + "/" + info.path("prefixlen").asInt());
            }
        }
        return result;
    }

    /** The source address the kernel picks towards {@code destination} ({@code ip route get}), or null. */
    public String routeSource(String ns, String destination) {
        JsonNode routes = ipJson(ns, "route", "get", destination);
        return routes.size() == 0 || !routes.get(0).has("prefsrc") ? null : routes.get(0).get("prefsrc").asText();
    }

    /**
     * Waits until the kernel's own IPv6 work on the namespace's links is done: each link that is up with a carrier
     * ({@code LOWER_UP}) has its link-local address, and no address is {@code tentative}. The kernel adds the
     * link-local address only once it sees the carrier and then runs duplicate address detection on it, a second or
     * more after set-up: two snapshots of {@code ip addr} or {@code ip route} taken across that moment differ for
     * reasons that are not the agent's. Call it before the first snapshot, when no test address is left tentative
     * on purpose (a duplicate's {@code dadfailed} address stays tentative for good).
     */
    public void awaitSettled(String ns) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> settled(ns));
    }

    private boolean settled(String ns) {
        for (JsonNode link : ipJson(ns, "addr")) {
            boolean carrier = false;
            for (JsonNode flag : link.path("flags")) {
                carrier |= flag.asText().equals("LOWER_UP");
            }
            boolean linkLocal = false;
            for (JsonNode info : link.path("addr_info")) {
                if (info.path("tentative").asBoolean()) {
                    return false;
                }
                linkLocal |= info.path("local").asText().startsWith("fe80:");
            }
            if (carrier && !linkLocal && !link.path("ifname").asText().equals("lo")) {
                return false;
            }
        }
        return true;
    }

    /** {@code sysctl -n KEY} inside the namespace, e.g. {@code net.ipv4.conf.v0.promote_secondaries}. */
    public String sysctl(String ns, String key) {
        return exec(ns, "sysctl", "-n", key).strip();
    }

    public void setSysctl(String ns, String key, String value) {
        exec(ns, "sysctl", "-q", "-w", key + "=" + value);
    }

    /**
     * Ends every process still in the namespaces, then deletes them; safe to call twice and after a failed set-up.
     * A process left inside (a legacy server the agent restarted, a shell that forks one later) would outlive the
     * deleted namespace, unreachable, for the rest of the run: a full run once kept two such JVMs alive.
     */
    @Override
    public void close() {
        for (String ns : created) {
            endProcessesIn(ns);
            runQuietly("ip", "netns", "del", ns);
        }
        created.clear();
    }

    /** Kills what {@code ip netns pids} lists (never this JVM) until nothing is left; a parent may fork meanwhile. */
    private static void endProcessesIn(String ns) {
        long self = ProcessHandle.current().pid();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            List<ProcessHandle> left = runQuietly("ip", "netns", "pids", ns).lines().map(String::strip)
                    .filter(pid -> !pid.isEmpty()).map(Long::parseLong).filter(pid -> pid != self)
                    .flatMap(pid -> ProcessHandle.of(pid).stream()).toList();
            left.forEach(ProcessHandle::destroyForcibly);
            return left.isEmpty();
        });
    }

    @Override
    public String toString() {
        return "namespaces " + a + " / " + b;
    }

    /** Runs a command, returns stdout, throws with stderr on a non-zero exit status. */
    public static String run(String... command) {
        return run(List.of(command));
    }

    public static String run(List<String> command) {
        Result result = execute(command);
        if (result.status != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + result.status + ": "
                    + result.stderr.strip());
        }
        return result.stdout;
    }

    private static String runQuietly(String... command) {
        try {
            return execute(List.of(command)).stdout;
        } catch (RuntimeException e) {
            return "";
        }
    }

    private record Result(int status, String stdout, String stderr) {
    }

    private static Result execute(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL)).start();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
            String stdout = drain(process.getInputStream());
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in "
                        + COMMAND_TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(), stdout, stderr.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
