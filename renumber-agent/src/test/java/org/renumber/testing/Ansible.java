package org.renumber.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real {@code ansible-playbook}, {@code ansible} and {@code ansible-doc} commands run from the project root with
 * the repository's collections ({@code ANSIBLE_COLLECTIONS_PATH=ansible}), as the README's Fleet section runs them;
 * what they print is kept and echoed for the test log.
 */
public final class Ansible {

    private static final Duration LIMIT = Duration.ofMinutes(10);
    private static final Pattern RECAP = Pattern.compile(
            "^(\\S+)\\s+: ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)\\s+skipped=(\\d+)"
                    + "\\s+rescued=(\\d+)", Pattern.MULTILINE);

    private Ansible() {
    }

    /** One host's line of the PLAY RECAP. */
    public record Recap(int ok, int changed, int unreachable, int failed, int skipped, int rescued) {
    }

    /** A finished command: exit status, everything it printed, how long it took. */
    public record Run(int exitCode, String output, Duration took) {

        /** The PLAY RECAP, host by host. */
        public Map<String, Recap> recap() {
            Map<String, Recap> recap = new LinkedHashMap<>();
            Matcher m = RECAP.matcher(output);
            while (m.find()) {
                recap.put(m.group(1), new Recap(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                        Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)),
                        Integer.parseInt(m.group(7))));
            }
            return recap;
        }

        /** The hosts that ran {@code task} in each PLAY section, i.e. each serial batch, in order. */
        public List<List<String>> batches(String task) {
            List<List<String>> batches = new ArrayList<>();
            for (String play : output.split("\nPLAY \\[")) {
                int start = play.indexOf("TASK [" + task + "]");
                if (start < 0) {
                    continue;
                }
                int end = play.indexOf("\nTASK [", start + 1);
                String section = play.substring(start, end < 0 ? play.length() : end);
                List<String> hosts = new ArrayList<>();
                Matcher m = Pattern.compile("^(?:ok|changed|failed|fatal|skipping): \\[([^\\]]+)\\]", Pattern.MULTILINE)
                        .matcher(section);
                while (m.find()) {
                    hosts.add(m.group(1));
                }
                batches.add(hosts.stream().sorted().toList());
            }
            return batches;
        }

        /** The summary callback's line for {@code host} ({@code "host: old -> new OUTCOME ..."}), or null. */
        public String summary(String host) {
            int banner = output.indexOf("RENUMBER SUMMARY");
            if (banner < 0) {
                return null;
            }
            return output.substring(banner).lines().filter(l -> l.startsWith(host + ": ")).findFirst().orElse(null);
        }
    }

    /** {@code ansible-playbook ARGS...} from the project root. */
    public static Run playbook(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ansible-playbook"));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Any of Ansible's commands ({@code ansible}, {@code ansible-doc}, ...) from the project root. */
    public static Run run(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("renumber-ansible-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.put("ANSIBLE_COLLECTIONS_PATH", "ansible");
            env.put("ANSIBLE_NOCOLOR", "1");
            env.put("ANSIBLE_HOST_KEY_CHECKING", "False");
            // Six nodes in one batch in one round of workers (the default is five).
            env.put("ANSIBLE_FORKS", "10");
            // No __pycache__ directories in the repository's collection.
            env.put("PYTHONDONTWRITEBYTECODE", "1");
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + LIMIT
                        + "; it printed:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println("$ " + String.join(" ", command) + "\n" + output + "(exit " + process.exitValue()
                    + " after " + took.toMillis() / 1000.0 + " s)");
            return new Run(process.exitValue(), output, took);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
