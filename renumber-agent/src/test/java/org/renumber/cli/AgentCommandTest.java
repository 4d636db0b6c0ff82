package org.renumber.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Option checks of {@code renumber agent}: refused before anything starts, with the message and the usage. */
class AgentCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine line = Main.commandLine();
        line.setErr(new PrintWriter(err, true));
        line.getSubcommands().get("agent").setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    @Test
    void aConnectorInsideTheManagedNamespaceNeedsAManagedNamespace() {
        assertEquals(2, run("agent", "--netns-jmx-port", "9876"));
        assertThat(err.toString()).contains("--netns-jmx-port needs --netns or --sandbox")
                .contains("Usage:").doesNotContain("Exception");
    }

    @Test
    void portsOutOfRangeAreRefused() {
        assertEquals(2, run("agent", "--netns", "x", "--netns-jmx-port", "0"));
        assertThat(err.toString()).contains("--netns-jmx-port 0 is not a TCP port");
        assertEquals(2, run("agent", "--jmx-port", "70000"));
        assertThat(err.toString()).contains("--jmx-port 70000 is not a TCP port");
    }

    @Test
    void sandboxAndNetnsAreExclusive() {
        assertEquals(2, run("agent", "--sandbox", "--netns", "x"));
        assertThat(err.toString()).contains("--sandbox and --netns");
    }
}
