package org.renumber.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@link TcpPeer} as a separate JVM inside a network namespace and talks to it line by line. */
public final class PeerProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;

    private PeerProcess(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** Starts {@code TcpPeer args...} in namespace {@code netns} and waits for its first line. */
    public static PeerProcess start(String netns, String expectedPrefix, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", netns, javaBinary(), "-Xmx64m",
                "-XX:TieredStopAtLevel=1", "-cp", testClassPath(), TcpPeer.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        PeerProcess peer = new PeerProcess(process);
        String first = peer.readLine();
        if (first == null || !first.startsWith(expectedPrefix)) {
            peer.close();
            throw new IOException("peer " + List.of(args) + " said '" + first + "' instead of " + expectedPrefix);
        }
        return peer;
    }

    /** Sends a command and returns the peer's one-line answer. */
    public String ask(String command) throws IOException {
        in.println(command);
        return readLine();
    }

    public long pid() {
        return process.pid();
    }

    private String readLine() throws IOException {
        return out.readLine();
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The classpath of this test run (surefire puts the real one in a property). */
    public static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
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
