package org.renumber.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link TcpPeer} in its own JVM inside a network namespace, like {@link PeerProcess}, with a choice of socket
 * family: Java opens dual-stack AF_INET6 sockets by default (IPv4 peers then appear as {@code ::ffff:a.b.c.d}
 * in the kernel's tables); {@link Stack#IPV4_ONLY} makes it open plain AF_INET sockets.
 */
public final class NetNsPeer implements AutoCloseable {

    public enum Stack {
        /** Java's default: AF_INET6 sockets, IPv4 through IPv4-mapped addresses. */
        DUAL,
        /** {@code -Djava.net.preferIPv4Stack=true}: AF_INET sockets. */
        IPV4_ONLY
    }

    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;

    private NetNsPeer(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** Starts {@code TcpPeer args...} in {@code netns}; returns once it printed a line starting with {@code expectedPrefix}. */
    public static NetNsPeer start(String netns, Stack stack, String expectedPrefix, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                ProcessHandle.current().info().command().orElse("java"), "-Xmx64m", "-Xshare:auto",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        if (stack == Stack.IPV4_ONLY) {
            command.add("-Djava.net.preferIPv4Stack=true");
        }
        command.addAll(List.of("-cp", testClassPath(), TcpPeer.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        NetNsPeer peer = new NetNsPeer(process);
        String first = peer.out.readLine();
        if (first == null || !first.startsWith(expectedPrefix)) {
            peer.close();
            throw new IOException("peer " + List.of(args) + " in " + netns + " said '" + first + "' instead of "
                    + expectedPrefix);
        }
        return peer;
    }

    /** Sends one command (count, close, ping, sources, exit) and returns the one-line answer. */
    public String ask(String command) throws IOException {
        in.println(command);
        return out.readLine();
    }

    /** The classpath of this test run (surefire puts the real one in a property). */
    public static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
