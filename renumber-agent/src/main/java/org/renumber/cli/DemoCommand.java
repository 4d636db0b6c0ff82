package org.renumber.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code renumber demo}: one short run of the hitless benchmark (bench/hitless.sh) on the README's sandbox, the
 * fastest way to see the product do its job: the example HTTP service on the sandbox's address, under load from a
 * client namespace, moves to the other sandbox address, and the clients see no failed request.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "As root, from the project directory (after `mvn -DskipTests package`): on the sandbox "
                + "namespace (created or reused, as `agent --sandbox` does), an agent, the example HTTP service "
                + "(target/renumber-example-http.jar) behind a DNS name, hey loading it from a throw-away client "
                + "namespace, and one change of rn0 (10.77.0.1 <-> 10.77.0.9); prints the result in a few lines. "
                + "Stop an agent already running on the sandbox first.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--netns", paramLabel = "NAME", defaultValue = Sandbox.NAMESPACE,
            description = "The sandbox namespace. Default: ${DEFAULT-VALUE}.")
    String netns;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "20",
            description = "How long the load runs (10 to 600); the change comes at a quarter. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(names = "--no-keepalive", description = "A new connection for every request (hey -disable-keepalive).")
    boolean noKeepAlive;

    @Option(names = "--bench", paramLabel = "FILE", defaultValue = "bench/hitless.sh",
            description = "The benchmark script. Default: ${DEFAULT-VALUE}.")
    Path bench;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (seconds < 10 || seconds > 600) {
            throw new IllegalArgumentException("--seconds " + seconds + " is not 10 to 600");
        }
        if (!Files.isRegularFile(bench)) {
            throw new IllegalArgumentException("--bench " + bench + " is no file: run the demo from the project "
                    + "directory, or name the script");
        }
        if (!netns.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("--netns '" + netns + "' is not a namespace name");
        }
        Sandbox.Layout sandbox = Sandbox.ensure(netns);
        String from = sandbox.address().split("/")[0];
        String to = (sandbox.address().equals(Sandbox.SUGGESTED_NEW) ? Sandbox.ADDRESS : Sandbox.SUGGESTED_NEW)
                .split("/")[0];
        String variant = noKeepAlive ? "nokeepalive" : "keepalive";
        System.out.println("Demo on " + netns + ": the example service on " + from + ":8080 behind the name "
                + "web.renumber.test (dnsmasq, TTL 0), hey at 200 requests/s (" + (noKeepAlive ? "a new connection each"
                : "keep-alive") + ") for " + seconds + " s from a client namespace, and the change " + Sandbox.INTERFACE
                + " " + from + " -> " + to + " after " + seconds / 4 + " s ...");
        Process run = new ProcessBuilder("bash", bench.toString(), "--runs", "1", "--duration",
                String.valueOf(seconds), "--change-at", String.valueOf(seconds / 4), "--variants", variant,
                "--netns", netns, "--interface", Sandbox.INTERFACE, "--from", from, "--to", to)
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        }
        int status = run.waitFor();
        String result = lines.stream().filter(l -> l.startsWith(variant + " ")).findFirst().orElse(null);
        if (status != 0 || result == null) {
            lines.forEach(System.out::println);
            System.out.println("The demo did not complete (exit status " + status + ").");
            return 1;
        }
        String[] f = result.trim().split(" +");
        // variant run requests non200 errors kinds outcome left p99pre p99chg ratio
        System.out.println("Requests: " + f[2] + ", answered 200: " + (Long.parseLong(f[2]) - Long.parseLong(f[3])
                - Long.parseLong(f[4])) + ", other answers: " + f[3] + ", failed: " + f[4]
                + (f[5].equals("-") ? "" : " (" + f[5] + ")"));
        System.out.println("The change: " + f[6] + ", " + f[7] + " connection(s) left on the old address");
        System.out.println("p99 latency: " + f[8] + " ms before the change, " + f[9] + " ms during it");
        System.out.println(Sandbox.INTERFACE + " in " + netns + " is now on " + (f[6].equals("DRAINED") || f[6].equals("TIMED_OUT") ? to : from)
                + "; `renumber demo` again moves it back");
        return f[4].equals("0") && f[3].equals("0") && f[6].equals("DRAINED") ? 0 : 1;
    }
}
