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
 * {@code renumber demo}: one short run of the hitless benchmark (bench/hitless.sh), the fastest way to see the
 * product do its job: the example HTTP service under load changes address, and the clients see no failed request.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "As root, from the project directory (after `mvn -DskipTests package`): in throw-away network "
                + "namespaces, the agent, the example HTTP service (target/renumber-example-http.jar) behind a DNS "
                + "name, hey loading it, and one address change; prints the result in a few lines.")
final class DemoCommand implements Callable<Integer> {

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
        String variant = noKeepAlive ? "nokeepalive" : "keepalive";
        System.out.println("Demo: the example service on 10.66.0.1:8080 behind the name web.renumber.test (dnsmasq, "
                + "TTL 0), hey at 200 requests/s (" + (noKeepAlive ? "a new connection each" : "keep-alive")
                + ") for " + seconds + " s, and the change 10.66.0.1 -> 10.66.0.7 after " + seconds / 4 + " s ...");
        Process run = new ProcessBuilder("bash", bench.toString(), "--runs", "1", "--duration",
                String.valueOf(seconds), "--change-at", String.valueOf(seconds / 4), "--variants", variant)
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
        return f[4].equals("0") && f[3].equals("0") && f[6].equals("DRAINED") ? 0 : 1;
    }
}
