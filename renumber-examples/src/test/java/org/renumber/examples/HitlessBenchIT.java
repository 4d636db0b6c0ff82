package org.renumber.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The benchmark as CI runs it, short: the real agent, the packaged example service, dnsmasq and hey in throw-away
 * namespaces (root needed). Clients that follow the name see no failed request and the change drains; hey against
 * the old literal address fails, proving the count can fail. And {@code renumber demo}, end to end, on a sandbox of
 * its own name.
 */
@Tag("kernel")
class HitlessBenchIT {

    @Test
    void clientsThatFollowTheNameSeeNoFailedRequestAndTheNegativeControlDoes() throws Exception {
        List<String> command = List.of("bash", "bench/hitless.sh", "--runs", "1", "--duration", "15", "--change-at",
                "3", "--rate", "20", "--workers", "4", "--variants", "keepalive,nokeepalive,negative");
        Process bench = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(bench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bench.waitFor(10, TimeUnit.MINUTES)).isTrue();
        System.out.println(output);
        assertThat(bench.exitValue()).as(output).isZero();

        Map<String, long[]> totals = totals(output);
        for (String variant : List.of("keepalive", "nokeepalive")) {
            long[] t = totals.get(variant);
            assertThat(t).as(variant + " totals in:\n" + output).isNotNull();
            assertThat(t[1]).as(variant + " requests").isPositive();
            assertThat(t[2]).as(variant + " non-200 answers").isZero();
            assertThat(t[3]).as(variant + " errors").isZero();
            assertThat(t[4]).as(variant + " changes that ended DRAINED").isEqualTo(1);
        }
        assertThat(totals.get("negative")[3]).as("the negative control's errors").isPositive();
    }

    @Test
    void theDemoRunsOnTheSandboxLayoutAndPrintsNoFailedRequest() throws Exception {
        // A sandbox under a unique name: the real renumber-sandbox, if a user has one here, is not touched.
        String netns = "rn-it-demo-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        try {
            Process demo = new ProcessBuilder("java", "-jar", "target/renumber.jar", "demo", "--netns", netns,
                    "--seconds", "10").redirectErrorStream(true).start();
            String output = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(demo.waitFor(5, TimeUnit.MINUTES)).isTrue();
            System.out.println(output);
            assertThat(demo.exitValue()).as(output).isZero();
            assertThat(output).contains("Demo on " + netns).contains(", failed: 0")
                    .contains("The change: DRAINED, 0 connection(s) left on the old address")
                    .contains("rn0 in " + netns + " is now on 10.77.0.9");
        } finally {
            new ProcessBuilder("ip", "netns", "del", netns).redirectErrorStream(true).start().waitFor(30,
                    TimeUnit.SECONDS);
        }
    }

    /** TOTALS lines: variant runs requests non200 errors drained. */
    private static Map<String, long[]> totals(String output) throws IOException {
        Map<String, long[]> totals = new HashMap<>();
        boolean inTotals = false;
        for (String line : output.split("\n")) {
            if (line.startsWith("TOTALS")) {
                inTotals = true;
            } else if (inTotals && line.matches("\\S+( +\\d+){5}")) {
                String[] f = line.trim().split(" +");
                totals.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                        Long.parseLong(f[4]), Long.parseLong(f[5])});
            }
        }
        return totals;
    }
}
