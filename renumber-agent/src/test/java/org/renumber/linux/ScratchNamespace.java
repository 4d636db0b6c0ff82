package org.renumber.linux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.renumber.testing.NetNsFixture;

/**
 * A unique namespace name ({@code rn-test-sbx-<random>}, which CI sweeps up with the other {@code rn-test-}
 * leftovers) for tests that create the namespace themselves, and iproute2 to look at it. {@link #close()}
 * deletes whatever the test left under that name ({@code ip netns del}); use try-with-resources or
 * {@code @AfterEach}. Creating one fails (it does not skip the test) when not root.
 */
public final class ScratchNamespace implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;

    private ScratchNamespace(String name) {
        this.name = name;
    }

    public static ScratchNamespace name() {
        if (!NetNsFixture.isRoot()) {
            throw new IllegalStateException("these tests need root: they create network namespaces (run the README test command as root)");
        }
        return new ScratchNamespace("rn-test-sbx-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2));
    }

    public String get() {
        return name;
    }

    public Path file() {
        return Path.of("/run/netns", name);
    }

    /** Whether {@code ip netns list} shows the name. */
    public boolean listed() {
        return NetNsFixture.run("ip", "netns", "list").lines().anyMatch(line -> line.split(" ")[0].equals(name));
    }

    /** {@code ip -j -n NAME ARGS...} parsed. */
    public JsonNode ipJson(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-j", "-n", name));
        command.addAll(List.of(args));
        String out = NetNsFixture.run(command);
        try {
            return JSON.readTree(out.isBlank() ? "[]" : out);
        } catch (IOException e) {
            throw new UncheckedIOException("ip printed no JSON: " + out, e);
        }
    }

    /** {@code ip -n NAME ARGS...}. */
    public String ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return NetNsFixture.run(command);
    }

    /** The link as {@code ip -j -d link show dev DEV} shows it. */
    public JsonNode link(String dev) {
        return ipJson("-d", "link", "show", "dev", dev).get(0);
    }

    /** The flags iproute2 prints for the link ({@code UP}, {@code LOWER_UP}, ...). */
    public List<String> flags(String dev) {
        List<String> flags = new ArrayList<>();
        link(dev).path("flags").forEach(flag -> flags.add(flag.asText()));
        return flags;
    }

    /** The IPv4 addresses of {@code dev} as {@code ADDRESS/PREFIX}, from {@code ip -j -4 addr show dev DEV}. */
    public List<String> ipv4Addresses(String dev) {
        List<String> result = new ArrayList<>();
        for (JsonNode link : ipJson("-4", "addr", "show", "dev", dev)) {
            for (JsonNode info : link.path("addr_info")) {
                result.add(info.path("local").asText() + "/" + info.path("prefixlen").asInt());
            }
        }
        return result;
    }

    /** The namespace's identity as a process inside it sees it ({@code net:[4026532290]}). */
    public String identity() {
        return NetNsFixture.run("ip", "netns", "exec", name, "readlink", "/proc/self/ns/net").strip();
    }

    @Override
    public void close() {
        if (listed() || Files.exists(file())) {
            NetNsFixture.run("ip", "netns", "del", name);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
