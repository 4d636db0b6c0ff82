package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.RenumberCommand;

/**
 * {@code renumber agent} started the way an operator starts it ({@code java -jar target/renumber.jar agent ...}) with
 * one thing wrong each time: it says what, naming the option, in one sentence on stderr, exits non-zero, and prints
 * no stack trace. Every other option is valid, so the sentence can only come from the one wrong option.
 */
@Tag("kernel")
class AgentStartupIT {

    private NetNsFixture net;
    private Path dir;

    @BeforeEach
    void createNamespace() throws Exception {
        net = NetNsFixture.create("rn-it-start-");
        dir = Files.createTempDirectory("renumber-startup-");
        Files.writeString(dir.resolve("jolokia.properties"), "host=127.0.0.1\nport=0\nagentContext=/jolokia\n");
        Files.writeString(dir.resolve("a-file"), "not a directory\n");
    }

    @AfterEach
    void deleteEverything() throws Exception {
        if (net != null) {
            net.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Valid options for every flag except {@code option}, which gets {@code value}. */
    private RenumberCommand.Result agent(String option, String value) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--netns", net.a());
        options.put("--state-dir", dir.resolve("state").toString());
        options.put("--jmx-port", "0");
        options.put("--jolokia-config", dir.resolve("jolokia.properties").toString());
        options.put("--hooks-dir", dir.resolve("no-hooks").toString());
        options.put(option, value);
        List<String> args = new ArrayList<>(List.of("agent"));
        options.forEach((name, given) -> args.addAll(List.of(name, given)));
        return RenumberCommand.runBare(List.of(), args.toArray(String[]::new));
    }

    private static void assertOneSentence(RenumberCommand.Result started, int exitCode, String... naming) {
        assertEquals(exitCode, started.exitCode(), started::toString);
        String last = started.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertThat(last).as(started.toString()).startsWith("renumber: Cannot start the agent: ").endsWith(".")
                .contains(naming);
        assertThat(started.err().lines()).as(started.toString())
                .noneMatch(line -> line.contains("at org.") || line.contains("at java.") || line.contains("Exception"));
        assertThat(started.out()).as(started.toString()).doesNotContain("Renumber agent running");
    }

    @Test
    void aNamespaceThatDoesNotExist() throws Exception {
        String missing = net.a() + "-gone";
        assertOneSentence(agent("--netns", missing), 2, "--netns " + missing, "no network namespace of that name",
                "ip netns list");
    }

    @Test
    void aStateDirectoryThatCannotBeWritten() throws Exception {
        Path underAFile = dir.resolve("a-file").resolve("state");
        assertOneSentence(agent("--state-dir", underAFile.toString()), 2, "--state-dir " + underAFile,
                "not a directory");
    }

    @Test
    void aHooksDirectoryThatIsAFile() throws Exception {
        Path file = dir.resolve("a-file");
        assertOneSentence(agent("--hooks-dir", file.toString()), 2, "--hooks-dir " + file, "is not a directory");
    }

    @Test
    void aJolokiaConfigurationThatIsMissingOrWrong() throws Exception {
        Path missing = dir.resolve("missing.properties");
        Path badPort = Files.writeString(dir.resolve("bad-port.properties"), "host=127.0.0.1\nport=eighty\n");
        Path badNumber = Files.writeString(dir.resolve("bad-number.properties"), "host=127.0.0.1\nport=0\n"
                + "threadNr=many\n");

        assertOneSentence(agent("--jolokia-config", missing.toString()), 2, "--jolokia-config " + missing,
                "no such file");
        assertOneSentence(agent("--jolokia-config", badPort.toString()), 2, "--jolokia-config " + badPort,
                "port=eighty is not a TCP port");
        assertOneSentence(agent("--jolokia-config", badNumber.toString()), 1, "invalid number", badNumber.toString());
    }

    @Test
    void theClientCommandsStartUpErrorsAreOneSentenceToo() throws Exception {
        RenumberCommand.Result badUrl = RenumberCommand.runBare(List.of(), "--url", "notaurl", "status");
        RenumberCommand.Result noPassword = RenumberCommand.runBare(List.of(), "--user", "x", "--password-file",
                dir.resolve("missing").toString(), "status");
        RenumberCommand.Result noCredentials = RenumberCommand.runBare(List.of(), "--url",
                "http://127.0.0.1:1/jolokia", "--state-dir", dir.resolve("missing").toString(), "watch");

        assertEquals(2, badUrl.exitCode(), badUrl::toString);
        assertThat(badUrl.err()).startsWith("renumber: --url 'notaurl' is not an http:// or https:// URL");
        assertEquals(1, noPassword.exitCode(), noPassword::toString);
        assertThat(noPassword.err()).startsWith("renumber: Cannot read the password file " + dir.resolve("missing"));
        assertEquals(1, noCredentials.exitCode(), noCredentials::toString);
        assertThat(noCredentials.err()).startsWith("renumber: No credentials: cannot read " + dir.resolve("missing"));
        for (RenumberCommand.Result result : List.of(badUrl, noPassword, noCredentials)) {
            assertThat(result.err().lines()).as(result.toString()).hasSize(1)
                    .noneMatch(line -> line.contains("at org.") || line.contains("Exception"));
        }
    }

    @Test
    void aPortThatIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            RenumberCommand.Result started = agent("--jmx-port", String.valueOf(taken.getLocalPort()));

            assertOneSentence(started, 1, "a port it listens on is already in use", "--jmx-port");
            assertThat(started.err()).doesNotContain("ExportException", "nested exception");
        }
    }
}
