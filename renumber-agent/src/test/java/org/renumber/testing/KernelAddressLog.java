package org.renumber.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * When the kernel's address events happened, as an independent witness sees them: {@code ip -ts -n NS monitor
 * address} prints each event with a microsecond timestamp (local time) as it receives it. Tests use it to measure
 * how long the agent takes from a kernel event to a notification.
 */
public final class KernelAddressLog implements AutoCloseable {

    /** One event: when ip received it, and its first line ({@code 3: v0    inet 10.9.0.1/24 ... v0:0}). */
    public record Entry(Instant time, String line) {
    }

    private final Process process;
    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    private KernelAddressLog(Process process) {
        this.process = process;
        Thread reader = new Thread(this::read, "kernel-address-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the witness in {@code ns}; call {@link #awaitReady} before making the changes it should see. */
    public static KernelAddressLog start(String ns) {
        try {
            return new KernelAddressLog(new ProcessBuilder("ip", "-ts", "-n", ns, "monitor", "address")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ip monitor in " + ns, e);
        }
    }

    /**
     * Returns once the witness sees events: it pokes the kernel with a loopback address (which the agent's monitor
     * ignores) until one shows up, since ip subscribes some time after it starts.
     */
    public KernelAddressLog awaitReady(NetNsFixture net, String ns) {
        Awaitility.await().until(() -> {
            net.ip(ns, "addr", "replace", "127.0.0.99/8", "dev", "lo");
            return !entries.isEmpty();
        });
        return this;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The first event whose line matches. */
    public Optional<Entry> find(Predicate<String> line) {
        return entries.stream().filter(e -> line.test(e.line())).findFirst();
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("[") && line.indexOf(']') > 0) {
                    LocalDateTime local = LocalDateTime.parse(line.substring(1, line.indexOf(']')));
                    entries.add(new Entry(local.atZone(ZoneId.systemDefault()).toInstant(),
                            line.substring(line.indexOf(']') + 1).strip()));
                }
            }
        } catch (IOException e) {
            // the process was stopped
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
