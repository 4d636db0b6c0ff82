package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.renumber.testing.AgentProcess;
import org.renumber.testing.CommandAgent;
import org.renumber.testing.KernelSnapshot;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RenumberCommand;

/**
 * The {@code renumber} command as a separate process ({@code java -jar target/renumber.jar ...}, output piped)
 * against the packaged agent managing a namespace, with real TCP connections on the old address.
 */
@Tag("kernel")
class RenumberCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OLD = NetNsFixture.ADDRESS_A;
    private static final Duration LONG = Duration.ofSeconds(90);

    private CommandAgent fixture;
    private NetNsFixture net;
    private Path stateDir;
    private AgentProcess agent;
    private RenumberCommand renumber;

    @BeforeEach
    void startAgent() throws Exception {
        fixture = CommandAgent.start("rn-it-cli-");
        net = fixture.net();
        stateDir = fixture.stateDir();
        agent = fixture.agent();
        renumber = fixture.renumber();
    }

    @AfterEach
    void stopEverything() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private NetNsPeer clientsOfAServerOnTheOldAddress(int count) throws Exception {
        fixture.server(OLD);
        return fixture.clients(OLD, count);
    }

    @Test
    void badInputIsRefusedWithExitTwoAndChangesNothing() throws Exception {
        String before = KernelSnapshot.of(net, net.a());

        RenumberCommand.Result plan = renumber.run("plan", "v0", "10.9.0.77", "10.9.1.1/24");
        RenumberCommand.Result change = renumber.run("change", "v0", OLD, "10.9.0.255/24");
        RenumberCommand.Result unknown = renumber.run("change", "nope0", OLD, "10.9.1.1/24");
        RenumberCommand.Result drain = renumber.run("change", "v0", OLD, "10.9.1.1/24", "--drain-timeout", "-5");
        RenumberCommand.Result cancel = renumber.run("cancel", "chg-00000000");
        RenumberCommand.Result status = renumber.run("status", "chg-00000000");
        RenumberCommand.Result usage = renumber.run("change", "v0");

        assertEquals(before, KernelSnapshot.of(net, net.a()));
        assertEquals(2, plan.exitCode(), plan::toString);
        assertThat(plan.out()).startsWith("Refused: old address 10.9.0.77 is not configured on v0")
                .contains("Nothing was changed");
        assertEquals(2, change.exitCode(), change::toString);
        assertThat(change.err()).isEqualTo("renumber: new address 10.9.0.255/24 is the network or broadcast address "
                + "of its subnet\n");
        assertEquals(2, unknown.exitCode(), unknown::toString);
        assertThat(unknown.err()).startsWith("renumber: unknown interface 'nope0'");
        assertEquals(2, drain.exitCode(), drain::toString);
        assertThat(drain.err()).contains("drainTimeoutSeconds -5 is out of range");
        assertEquals(2, cancel.exitCode(), cancel::toString);
        assertThat(cancel.err()).contains("unknown change id 'chg-00000000'");
        assertEquals(2, status.exitCode(), status::toString);
        assertEquals(2, usage.exitCode(), usage::toString);
        assertThat(usage.err()).contains("Missing required parameters");
        for (RenumberCommand.Result result : List.of(plan, change, unknown, drain, cancel, status, usage)) {
            assertThat(result.out() + result.err()).doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void anUnreachableAgentOrARefusedLoginIsExitOneInOneSentence() throws Exception {
        RenumberCommand.Result down = new RenumberCommand("http://127.0.0.1:1/jolokia", stateDir).run("status");
        Path wrong = Files.writeString(stateDir.resolve("wrong-password"), "not-the-password\n");
        RenumberCommand.Result refused = renumber.run("--password-file", wrong.toString(), "history");
        RenumberCommand.Result noCredentials = RenumberCommand.runBare(
                List.of("RENUMBER_URL=" + agent.jolokiaUrl()), "status", "--state-dir", "/nonexistent");
        RenumberCommand.Result fromEnv = RenumberCommand.runBare(List.of("RENUMBER_URL=" + agent.jolokiaUrl(),
                "RENUMBER_USER=" + agent.credentials()[0], "RENUMBER_PASSWORD_FILE=" + passwordFile()), "status");

        assertEquals(1, down.exitCode(), down::toString);
        assertThat(down.err()).isEqualTo("renumber: Cannot reach the Renumber agent at http://127.0.0.1:1/jolokia: "
                + "nothing answers there (is the agent running? systemctl status renumber).\n");
        assertEquals(1, refused.exitCode(), refused::toString);
        assertThat(refused.err()).startsWith("renumber: The agent at " + agent.jolokiaUrl() + " refused the login of "
                + "user 'renumber'");
        assertEquals(1, noCredentials.exitCode(), noCredentials::toString);
        assertThat(noCredentials.err()).startsWith("renumber: No credentials: cannot read /nonexistent/credentials");
        assertEquals(0, fromEnv.exitCode(), fromEnv::toString);
        assertThat(fromEnv.out()).startsWith("No change is running.");
    }

    private Path passwordFile() throws Exception {
        return Files.writeString(stateDir.resolve("password"), agent.credentials()[1] + "\n");
    }

    @Test
    void aChangeIsFollowedToCompletedAsItsConnectionsCloseAndDoesWhatThePlanSaid() throws Exception {
        net.ip(net.a(), "route", "add", "198.51.100.0/24", "via", NetNsFixture.ADDRESS_B, "src", OLD, "table", "100");
        net.ip(net.a(), "rule", "add", "from", OLD + "/32", "lookup", "100", "priority", "1000");
        NetNsPeer clients = clientsOfAServerOnTheOldAddress(2);
        RenumberCommand.Running watch = renumber.start("watch", "--json");
        fixture.keep(watch);
        await().atMost(LONG).until(() -> renumber.run("status").exitCode() == 0);

        RenumberCommand.Result planned = renumber.run("plan", "--json", "v0", OLD, "10.9.1.1/24");
        JsonNode plan = JSON.readTree(planned.out());
        RenumberCommand.Running change = renumber.start("change", "v0", OLD, "10.9.1.1/24", "--drain-timeout", "120");
        await().atMost(LONG).until(() -> change.out().contains("2 of 2 connections left   deadline in"));
        clients.ask("close");
        RenumberCommand.Result followed = change.await(120);

        assertEquals(0, planned.exitCode(), planned::toString);
        assertThat(plan.path("connections")).hasSize(2);
        assertEquals(0, followed.exitCode(), followed::toString);
        String out = followed.out();
        assertThat(out).containsPattern("DRAINING +waiting for the connections on 10.9.0.1/24")
                .containsPattern("\\[\\.+\\]  2 of 2 connections left   deadline in \\d:\\d\\d")
                .contains("java").containsPattern("COMPLETED +outcome DRAINED").doesNotContain("\033[");
        String id = out.lines().findFirst().orElseThrow().split(" ")[1].replace(":", "");
        for (JsonNode route : plan.path("routes")) {
            if (route.path("before").asText().contains("proto kernel")) {
                continue; // the old subnet's connected route steers new connections while draining, then goes with it
            }
            assertThat(net.ip(net.a(), "route", "show", "table", route.path("table").asText()))
                    .contains(route.path("after").asText().replace(" table 100", ""));
        }
        // iproute2 prints "PRIORITY:\tSELECTORS ACTION"; the plan says it as ip rule add takes it, "... priority N".
        String rules = net.ip(net.a(), "rule").lines().map(line -> line.split(":\t", 2))
                .map(parts -> parts[1].strip() + " priority " + parts[0]).collect(java.util.stream.Collectors.joining("\n"));
        for (JsonNode rule : plan.path("rules")) {
            if (rule.path("action").asText().equals("add")) {
                assertThat(rules).contains(rule.path("rule").asText());
            } else if (rule.path("action").asText().equals("delete")) {
                assertThat(rules).doesNotContain(rule.path("rule").asText());
            }
        }
        assertThat(renumber.run("history").out()).contains(id);
        RenumberCommand.Result status = renumber.run("status", id);
        assertEquals(0, status.exitCode(), status::toString);
        assertThat(status.out()).containsPattern("State: +COMPLETED");
        await().atMost(LONG).until(() -> watch.out().contains("renumber.change.completed"));
        List<String> types = new ArrayList<>();
        for (String line : watch.out().lines().toList()) {
            JsonNode notification = JSON.readTree(line);
            if (notification.path("data").path("changeId").asText().equals(id)) {
                types.add(notification.path("type").asText());
            }
        }
        assertThat(types).containsSubsequence("renumber.change.started", "renumber.change.drained",
                "renumber.change.completed");
    }

    @Test
    void aChangeThatTimesOutExitsThreeAndNoWaitPrintsTheIdAtOnce() throws Exception {
        clientsOfAServerOnTheOldAddress(1);

        RenumberCommand.Result timedOut = renumber.run("change", "--json", "v0", OLD, "10.9.1.1/24",
                "--drain-timeout", "1");
        RenumberCommand.Result noWait = renumber.run("change", "--no-wait", "v0", "10.9.1.1", "10.9.2.1/24");

        assertEquals(3, timedOut.exitCode(), timedOut::toString);
        List<String> states = timedOut.out().lines().map(line -> {
            try {
                return JSON.readTree(line).path("state").asText();
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + line, e);
            }
        }).distinct().toList();
        assertThat(states).endsWith("TIMED_OUT");
        assertEquals(0, noWait.exitCode(), noWait::toString);
        assertThat(noWait.out().strip()).matches("chg-[0-9a-f]{8}");
    }
}
