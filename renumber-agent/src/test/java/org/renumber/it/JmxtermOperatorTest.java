package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.KernelTest;

/**
 * An operator's script with jmxterm, the command-line JMX client, against the agent's JMX connector: the
 * operations take plain strings and numbers, so a script can subscribe, change an address, wait for it and read
 * the outcome; errors come back with the service's message; a wrong password is refused.
 */
@KernelTest
class JmxtermOperatorTest {

    private static final Path JMXTERM = Path.of("target", "tools", "jmxterm.jar");
    private static final String SERVICE = "renumber:type=AddressChangeService";

    private AgentFixture fixture;

    @BeforeEach
    void startAgent() {
        fixture = new AgentFixture("rn-it-jmxterm-");
    }

    @AfterEach
    void stopAgent() {
        fixture.close();
    }

    /** Runs jmxterm non-interactively with {@code commands} on stdin; returns what it printed. */
    private String jmxterm(String password, String... commands) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JMXTERM)) {
            throw new IllegalStateException(JMXTERM.toAbsolutePath() + " is missing: the build copies it "
                    + "(maven-dependency-plugin, generate-test-resources)");
        }
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
                JMXTERM.toString(), "-l", fixture.agent().jmx().url().toString(),
                "-u", fixture.agent().credentials().user(), "-p", password, "-n", "-v", "brief")
                .redirectErrorStream(true).start();
        process.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("jmxterm did not finish; it printed:\n" + out);
        }
        return out;
    }

    private static String lastLine(String out) {
        List<String> lines = out.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        return lines.get(lines.size() - 1).strip();
    }

    @Test
    void anOperatorScriptChangesAnAddressAndReadsTheOutcome() throws Exception {
        String password = fixture.agent().credentials().password();
        String subscribed = jmxterm(password, "run -b " + SERVICE + " subscribe ops web \"\"");
        assertEquals("renumber:type=Subscription,id=ops", lastLine(subscribed));

        String id = lastLine(jmxterm(password,
                "run -b " + SERVICE + " changeAddress v0 10.9.0.1 10.9.1.1/24 \"\" 30"));
        assertThat(id).startsWith("chg-");
        assertEquals("COMPLETED", lastLine(jmxterm(password, "run -b " + SERVICE + " awaitChange " + id + " 60")));
        assertThat(jmxterm(password, "get -b renumber:type=AddressChange,id=" + id + " Outcome"))
                .contains("Outcome = DRAINED;");
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains("10.9.1.1/24").doesNotContain("10.9.0.1/24");
    }

    @Test
    void badInputComesBackWithTheServiceMessage() throws Exception {
        String out = jmxterm(fixture.agent().credentials().password(),
                "run -b " + SERVICE + " changeAddress nope0 10.9.0.1 10.9.1.1/24 \"\" 30");
        assertThat(out).contains("unknown interface 'nope0'");
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        String out = jmxterm(fixture.agent().credentials().password() + "x", "get -b " + SERVICE + " SubscriberCount");
        assertThat(out).contains("Authentication failed").doesNotContain("SubscriberCount =");
    }
}
