package org.renumber.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Option checks of {@code renumber demo}: refused before anything runs. (HitlessBenchIT runs the benchmark.) */
class DemoCommandTest {

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine line = Main.commandLine();
        line.setErr(new PrintWriter(err, true));
        line.getSubcommands().get("demo").setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    @Test
    void aLoadTooShortOrAMissingScriptIsRefused() {
        assertEquals(2, run("demo", "--seconds", "5"));
        assertThat(err.toString()).contains("--seconds 5 is not 10 to 600");
        assertEquals(2, run("demo", "--bench", "no/such/script.sh"));
        assertThat(err.toString()).contains("--bench no/such/script.sh is no file");
    }
}
