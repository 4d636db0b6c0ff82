package org.renumber.linux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.renumber.domain.GuardUnavailableException;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.NetworkException;
import org.renumber.domain.port.InboundGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link InboundGuard} with nftables, through the {@code nft} tool and its JSON syntax ({@code nft -j -f -}).
 * Everything lives in one table of the managed namespace that belongs to the agent:
 * <pre>
 * table inet renumber {
 *     chain guard {
 *         type filter hook input priority filter - 10; policy accept;
 *         ip daddr 10.9.0.1 tcp flags syn / syn,ack counter reject with tcp reset comment "renumber guard 10.9.0.1"
 *     }
 * }
 * </pre>
 * One rule per guarded address ({@code ip6 daddr} for IPv6). A SYN without ACK is a new connection attempt;
 * every packet of an established connection carries ACK, so it passes. The reset makes the client fail at
 * once ("connection refused") rather than time out. The rule's comment names the address: it is how the guard
 * finds its rules again, in a later run of the agent too, and removes exactly those (by handle). The table is
 * deleted with its last rule, so a namespace without guards shows no trace of the agent. An inet-family table
 * sees IPv4 packets to dual-stack (IPv4-mapped) sockets as the IPv4 packets they are.
 *
 * <p>{@code nft} runs inside the managed namespace: the process is started from {@link LinuxNetns}'s thread,
 * which is in that namespace, and a child process inherits the namespaces of the thread that forks it. So the
 * agent's own namespace is never touched, and no {@code nsenter} or {@code ip netns exec} is needed.
 */
public final class NftablesGuard implements InboundGuard {

    private static final Logger log = LoggerFactory.getLogger(NftablesGuard.class);

    /** The agent's table, family inet (IPv4 and IPv6 in one). */
    public static final String TABLE = "renumber";
    public static final String CHAIN = "guard";
    /** A rule's comment is this prefix and the address: {@code renumber guard 10.9.0.1}. */
    public static final String COMMENT_PREFIX = "renumber guard ";
    /** Ahead of the usual filter chains (priority filter = 0); a reset in any base chain of the hook is final. */
    static final int PRIORITY = -10;
    /** Where nft lives on Debian, in case the agent's PATH lacks the sbin directories (as some service PATHs do). */
    private static final List<Path> SBIN = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));
    private static final Duration NFT_TIMEOUT = Duration.ofSeconds(20);
    private static final File DEV_NULL = new File("/dev/null");

    private final LinuxNetns netns;
    private final String command;
    private final ObjectMapper json = new ObjectMapper();

    /** Uses {@code nft} from PATH, or /usr/sbin, /sbin. */
    public NftablesGuard(LinuxNetns netns) {
        this(netns, "nft");
    }

    /**
     * @param nftCommand the nft executable: a name looked up in PATH (then /usr/sbin, /sbin), or a path
     */
    public NftablesGuard(LinuxNetns netns, String nftCommand) {
        this.netns = Objects.requireNonNull(netns, "netns");
        this.command = Objects.requireNonNull(nftCommand, "nftCommand");
        if (nftCommand.isBlank()) {
            throw new IllegalArgumentException("the nft command must not be blank");
        }
    }

    @Override
    public Optional<String> unavailableReason() {
        Optional<Path> nft = locate();
        if (nft.isEmpty()) {
            return Optional.of(missing());
        }
        Result result;
        try {
            result = run(nft.get(), List.of("-j", "list", "tables"), null);
        } catch (GuardUnavailableException e) {
            return Optional.of(e.getMessage());
        } catch (NetworkException e) {
            return Optional.of("the inbound guard cannot run nft: " + e.getMessage());
        }
        if (result.status != 0) {
            return Optional.of("the inbound guard needs nftables in the kernel, but '" + nft.get()
                    + " list tables' failed in " + netns.describe() + ": " + result.stderr.strip());
        }
        return Optional.empty();
    }

    @Override
    public synchronized void guard(InetAddress address) {
        Objects.requireNonNull(address, "address");
        Path nft = requireNft();
        if (list(nft).guards.stream().anyMatch(rule -> rule.guard.address().equals(address))) {
            log.debug("new connections to {} are already refused in {}", IpText.of(address), netns.describe());
            return;
        }
        ArrayNode batch = json.createArrayNode();
        // "add" of an existing table or chain with the same definition changes nothing.
        batch.addObject().putObject("add").set("table", table());
        ObjectNode chain = chain();
        chain.put("type", "filter").put("hook", "input").put("prio", PRIORITY).put("policy", "accept");
        batch.addObject().putObject("add").set("chain", chain);
        batch.addObject().putObject("add").set("rule", rule(address));
        apply(nft, "refuse new TCP connections to " + IpText.of(address), batch);
        log.info("new TCP connections to {} are refused in {} (nftables table inet {})", IpText.of(address),
                netns.describe(), TABLE);
    }

    @Override
    public synchronized boolean release(InetAddress address) {
        Objects.requireNonNull(address, "address");
        Path nft = requireNft();
        Listing listing = list(nft);
        List<Rule> mine = listing.guards.stream().filter(rule -> rule.guard.address().equals(address)).toList();
        if (mine.isEmpty()) {
            return false;
        }
        ArrayNode batch = json.createArrayNode();
        if (mine.size() == listing.rules) {
            // The last rule goes with the table: no trace of the agent is left in the namespace.
            batch.addObject().putObject("delete").set("table", table());
        } else {
            for (Rule rule : mine) {
                batch.addObject().putObject("delete").putObject("rule").put("family", "inet").put("table", TABLE)
                        .put("chain", CHAIN).put("handle", rule.handle);
            }
        }
        apply(nft, "stop refusing new TCP connections to " + IpText.of(address), batch);
        log.info("new TCP connections to {} are accepted again in {}", IpText.of(address), netns.describe());
        return true;
    }

    @Override
    public synchronized List<Guard> activeGuards() {
        return list(requireNft()).guards.stream().map(rule -> rule.guard).toList();
    }

    @Override
    public String toString() {
        return "nftables guard (table inet " + TABLE + ") in " + netns.describe();
    }

    /** A guard rule as listed, with the handle that deletes it. */
    private record Rule(Guard guard, long handle) {
    }

    /**
     * What the table holds: the guard rules in chain order, and the number of rules of any kind (an operator
     * may have added their own; the table then stays when the last guard goes).
     */
    private record Listing(List<Rule> guards, int rules) {
    }

    private Listing list(Path nft) {
        List<Rule> guards = new ArrayList<>();
        int rules = 0;
        for (JsonNode item : listTable(nft).path("nftables")) {
            JsonNode rule = item.path("rule");
            if (!rule.isObject()) {
                continue;
            }
            rules++;
            String comment = rule.path("comment").asText("");
            if (!CHAIN.equals(rule.path("chain").asText()) || !comment.startsWith(COMMENT_PREFIX)) {
                continue;
            }
            InetAddress address;
            try {
                address = IpLiterals.parse(comment.substring(COMMENT_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                log.warn("nftables rule '{}' in table inet {} of {} names no address; left alone", comment, TABLE,
                        netns.describe());
                continue;
            }
            long refused = 0;
            for (JsonNode expression : rule.path("expr")) {
                refused += expression.path("counter").path("packets").asLong(0);
            }
            guards.add(new Rule(new Guard(address, refused), rule.path("handle").asLong()));
        }
        return new Listing(guards, rules);
    }

    /** {@code nft -j -a list table inet renumber}, or an empty list when the table does not exist. */
    private JsonNode listTable(Path nft) {
        Result tables = run(nft, List.of("-j", "list", "tables"), null);
        requireSuccess(tables, "list the nftables tables");
        boolean exists = false;
        for (JsonNode item : parse(tables.stdout, "list tables").path("nftables")) {
            JsonNode table = item.path("table");
            exists |= "inet".equals(table.path("family").asText()) && TABLE.equals(table.path("name").asText());
        }
        if (!exists) {
            return json.createObjectNode();
        }
        Result listed = run(nft, List.of("-j", "-a", "list", "table", "inet", TABLE), null);
        requireSuccess(listed, "list the nftables table inet " + TABLE);
        return parse(listed.stdout, "list table inet " + TABLE);
    }

    private void apply(Path nft, String operation, ArrayNode batch) {
        ObjectNode document = json.createObjectNode();
        document.set("nftables", batch);
        String input;
        try {
            input = json.writeValueAsString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        requireSuccess(run(nft, List.of("-j", "-f", "-"), input), operation);
    }

    private ObjectNode table() {
        return json.createObjectNode().put("family", "inet").put("name", TABLE);
    }

    private ObjectNode chain() {
        return json.createObjectNode().put("family", "inet").put("table", TABLE).put("name", CHAIN);
    }

    /** {@code ip daddr ADDR tcp flags & (syn|ack) == syn counter reject with tcp reset comment "renumber guard ADDR"}. */
    private ObjectNode rule(InetAddress address) {
        ObjectNode rule = json.createObjectNode().put("family", "inet").put("table", TABLE).put("chain", CHAIN)
                .put("comment", COMMENT_PREFIX + IpText.of(address));
        ArrayNode expressions = rule.putArray("expr");
        ObjectNode destination = expressions.addObject().putObject("match").put("op", "==");
        destination.putObject("left").putObject("payload")
                .put("protocol", address instanceof Inet4Address ? "ip" : "ip6").put("field", "daddr");
        destination.put("right", IpText.of(address));
        ObjectNode syn = expressions.addObject().putObject("match").put("op", "==");
        ArrayNode and = syn.putObject("left").putArray("&");
        and.addObject().putObject("payload").put("protocol", "tcp").put("field", "flags");
        and.addArray().add("syn").add("ack");
        syn.put("right", "syn");
        expressions.addObject().putObject("counter").put("packets", 0).put("bytes", 0);
        expressions.addObject().putObject("reject").put("type", "tcp reset");
        return rule;
    }

    private JsonNode parse(String output, String what) {
        try {
            return json.readTree(output.isBlank() ? "{}" : output);
        } catch (IOException e) {
            throw new NetworkException("nft " + what + " in " + netns.describe() + " printed no JSON: " + output, e);
        }
    }

    private Path requireNft() {
        return locate().orElseThrow(() -> new GuardUnavailableException(missing()));
    }

    private String missing() {
        return command.contains("/")
                ? "the inbound guard needs nftables, but " + command + " is not an executable file (install the "
                        + "nftables package)"
                : "the inbound guard needs nftables, but no '" + command + "' executable was found in PATH ("
                        + System.getenv().getOrDefault("PATH", "") + ") nor in /usr/sbin, /sbin (install the "
                        + "nftables package)";
    }

    /** The nft executable, looked up now: installing nftables while the agent runs is enough. */
    private Optional<Path> locate() {
        if (command.contains("/")) {
            Path path = Path.of(command);
            return executable(path) ? Optional.of(path) : Optional.empty();
        }
        List<Path> directories = new ArrayList<>();
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                directories.add(Path.of(entry));
            }
        }
        directories.addAll(SBIN);
        return directories.stream().map(directory -> directory.resolve(command)).filter(NftablesGuard::executable)
                .findFirst();
    }

    private static boolean executable(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }

    private void requireSuccess(Result result, String operation) {
        if (result.status != 0) {
            throw new NetworkException(operation + " in " + netns.describe() + " failed: nft exited with "
                    + result.status + ": " + result.stderr.strip(), 0);
        }
    }

    private record Result(int status, String stdout, String stderr) {
    }

    /** Runs nft with {@code args} inside the managed namespace, {@code input} on its stdin (or nothing). */
    private Result run(Path nft, List<String> args, String input) {
        List<String> commandLine = new ArrayList<>();
        commandLine.add(nft.toString());
        commandLine.addAll(args);
        String text = String.join(" ", commandLine);
        ProcessBuilder builder = new ProcessBuilder(commandLine);
        if (input == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        }
        Process process;
        try {
            // Forked from the namespace's thread, so the child starts in the managed namespace.
            process = netns.call(builder::start);
        } catch (UncheckedIOException e) {
            throw new GuardUnavailableException("the inbound guard cannot run " + text + ": " + e.getCause().getMessage(), e);
        }
        // stderr is drained on its own thread while this one reads stdout, so neither pipe can fill up and block nft.
        CompletableFuture<String> stderr = new CompletableFuture<>();
        Thread errors = new Thread(() -> stderr.complete(drain(process.getErrorStream())), "renumber-nft-stderr");
        errors.setDaemon(true);
        errors.start();
        try {
            if (input != null) {
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            String stdout = drain(process.getInputStream());
            if (!process.waitFor(NFT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new NetworkException(text + " in " + netns.describe() + " did not finish within "
                        + NFT_TIMEOUT.toSeconds() + " s", 0);
            }
            return new Result(process.exitValue(), stdout, stderr.join());
        } catch (IOException | UncheckedIOException e) {
            process.destroyForcibly();
            throw new NetworkException(text + " in " + netns.describe() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new NetworkException("interrupted while running " + text + " in " + netns.describe(), e);
        }
    }

    /** Reads a stream to its end; an I/O error (nft killed) ends it with what was read. */
    private static String drain(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            log.debug("reading nft output ended early: {}", e.getMessage());
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
