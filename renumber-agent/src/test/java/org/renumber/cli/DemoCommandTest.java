package org.renumber.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.linux.ScratchNamespace;
import org.renumber.testing.KernelTest;
import picocli.CommandLine;

/**
 * {@code renumber demo}: its checks, and what it hands the benchmark for the sandbox, with a stand-in script that
 * records its arguments and prints a result line, under a unique namespace name (never the real
 * {@value Sandbox#NAMESPACE}, never the host's namespace). HitlessBenchIT runs the real demo end to end.
 */
class DemoCommandTest {

    private final StringWriter err = new StringWriter();
    private ScratchNamespace ns;

    @TempDir
    Path dir;

    @AfterEach
    void deleteTheNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    private int run(String... args) {
        CommandLine line = Main.commandLine();
        line.setErr(new PrintWriter(err, true));
        line.getSubcommands().get("demo").setErr(new PrintWriter(err, true));
        return line.execute(args);
    }

    @Test
    void aLoadTooShortAMissingScriptOrABadNamespaceNameIsRefused() {
        assertEquals(2, run("demo", "--seconds", "5"));
        assertThat(err.toString()).contains("--seconds 5 is not 10 to 600");
        assertEquals(2, run("demo", "--bench", "no/such/script.sh"));
        assertThat(err.toString()).contains("--bench no/such/script.sh is no file");
        assertEquals(2, run("demo", "--bench", "bench/hitless.sh", "--netns", "../etc"));
        assertThat(err.toString()).contains("--netns '../etc' is not a namespace name");
    }

    @KernelTest
    @Test
    void theDemoRunsTheBenchmarkOnTheSandboxAndMovesRn0ToTheOtherAddressNextTime() throws Exception {
        ns = ScratchNamespace.name();
        Path arguments = dir.resolve("arguments");
        Path bench = dir.resolve("bench.sh");
        // variant run requests non200 errors kinds outcome left p99pre p99chg ratio, as bench/hitless.sh prints
        Files.writeString(bench, "printf '%s\\n' \"$@\" >" + arguments + "\n"
                + "echo \"$8      1    2400      0       0  -                                      DRAINED       0"
                + "     11.0     11.6   1.05\"\n");

        String out = capture(() -> assertEquals(0, run("demo", "--netns", ns.get(), "--bench", bench.toString(),
                "--seconds", "12")));

        assertThat(ns.ipv4Addresses("rn0")).as("the sandbox, made as agent --sandbox makes it")
                .containsExactly("10.77.0.1/24");
        assertThat(Files.readAllLines(arguments)).containsExactly("--runs", "1", "--duration", "12", "--change-at",
                "3", "--variants", "keepalive", "--netns", ns.get(), "--interface", "rn0", "--from", "10.77.0.1",
                "--to", "10.77.0.9");
        assertThat(out).contains("Requests: 2400, answered 200: 2400, other answers: 0, failed: 0")
                .contains("The change: DRAINED, 0 connection(s) left on the old address")
                .contains("rn0 in " + ns.get() + " is now on 10.77.0.9");

        // After that change rn0 holds 10.77.0.9: the next demo moves it back.
        ns.ip("addr", "del", "10.77.0.1/24", "dev", "rn0");
        ns.ip("addr", "add", "10.77.0.9/24", "dev", "rn0");
        capture(() -> assertEquals(0, run("demo", "--netns", ns.get(), "--bench", bench.toString(),
                "--no-keepalive")));
        assertThat(Files.readAllLines(arguments)).containsSubsequence("--variants", "nokeepalive")
                .containsSubsequence("--from", "10.77.0.9", "--to", "10.77.0.1");
    }

    @KernelTest
    @Test
    void aFailedRunShowsTheBenchmarksOwnWordsAndExitsOne() throws Exception {
        ns = ScratchNamespace.name();
        Path bench = dir.resolve("bench.sh");
        Files.writeString(bench, "echo 'hitless.sh: the process writing agent.log ended; it says: locked'\nexit 1\n");

        String out = capture(() -> assertEquals(1, run("demo", "--netns", ns.get(), "--bench", bench.toString())));

        assertThat(out).contains("hitless.sh: the process writing agent.log ended; it says: locked")
                .contains("The demo did not complete (exit status 1).");
    }

    private static String capture(Runnable body) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
