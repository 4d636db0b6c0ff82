package org.renumber.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.renumber.jolokia.JolokiaAgent;
import org.renumber.journal.StateDirectory;

/**
 * What {@code renumber agent} checks before it touches anything, and how a failed start reads: a wrong option or
 * a busy port is the operator's to fix, not a bug to report, so it gets one sentence naming the option and a
 * non-zero exit status, never a stack trace (README.md, "The agent"). Exit status 2 for an option that names
 * something unusable (checked before anything starts), 1 for a start that failed later.
 */
final class AgentStartup {

    private static final Path NETNS_DIR = Path.of("/run/netns");

    private AgentStartup() {
    }

    /** Refuses options that name something the agent cannot use, before anything is opened or exported. */
    static void check(AgentOptions options) {
        String netns = options.netns();
        if (netns != null && (netns.isEmpty() || netns.contains("/") || netns.startsWith(".")
                || !Files.exists(NETNS_DIR.resolve(netns)))) {
            throw refused("--netns " + netns + ": there is no network namespace of that name (" + NETNS_DIR
                    + "/" + netns + " does not exist; `ip netns list` shows them, `ip netns add " + netns
                    + "` creates it)");
        }
        checkStateDir(options.stateDir());
        Path hooks = options.hooksDir();
        if (hooks != null && Files.exists(hooks) && !Files.isDirectory(hooks)) {
            throw refused("--hooks-dir " + hooks + " is not a directory (give the directory holding the hook "
                    + "scripts; a directory that does not exist means no hooks)");
        }
        if (options.jolokiaConfig() != null) {
            checkJolokiaConfig(options.jolokiaConfig());
        }
    }

    private static void checkStateDir(Path dir) {
        try {
            StateDirectory.ensure(dir);
            // Root passes permission checks, not a read-only file system: try a write.
            Files.delete(Files.createTempFile(dir, ".renumber-write-test-", ""));
        } catch (IOException e) {
            throw refused("--state-dir " + dir + " cannot hold the agent's state: " + reason(e)
                    + " (give a writable directory; the package uses /var/lib/renumber)");
        }
    }

    private static void checkJolokiaConfig(Path file) {
        Map<String, String> properties;
        try {
            properties = JolokiaAgent.readProperties(file);
        } catch (IOException | IllegalArgumentException e) {
            throw refused("--jolokia-config " + file + " cannot be read: " + reason(e));
        }
        String port = properties.get("port");
        if (port != null && !(port.matches("\\d{1,5}") && Integer.parseInt(port) <= 65535)) {
            throw refused("--jolokia-config " + file + ": port=" + port + " is not a TCP port (0 to 65535; 0 picks "
                    + "a free one)");
        }
    }

    /** One sentence for a start that failed after the checks: a busy port names its option, the rest say why. */
    static CliFailure explain(Exception e, Path jolokia) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException || t instanceof java.rmi.server.ExportException) {
                return new CliFailure(CliFailure.UNREACHABLE, "Cannot start the agent: a port it listens on is "
                        + "already in use (" + firstLine(e).split("; nested exception")[0] + "); another agent may be running: stop it, or choose "
                        + "free ports with --jmx-port (0 picks one) and the port in "
                        + (jolokia == null ? "--jolokia-config" : jolokia) + ".");
            }
        }
        String why = e instanceof IllegalArgumentException && jolokia != null && firstLine(e).contains("Jolokia")
                ? firstLine(e) + " (in " + jolokia + ")" : reason(e);
        return new CliFailure(CliFailure.UNREACHABLE, "Cannot start the agent: " + why + ".");
    }

    /** What went wrong, in words: file system errors name the file and the reason, others keep their message. */
    static String reason(Throwable e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        String message = firstLine(e);
        return message.isEmpty() ? e.getClass().getSimpleName() : message;
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage();
        return message == null ? "" : message.lines().findFirst().orElse("").strip();
    }

    private static CliFailure refused(String sentence) {
        return new CliFailure(CliFailure.REFUSED, "Cannot start the agent: " + sentence + ".");
    }
}
