package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.renumber.testing.Ansible;
import org.renumber.testing.Fleet;
import org.renumber.testing.KernelTest;

/**
 * {@code ansible/renumber-fleet.yml}, run with the real {@code ansible-playbook} against six nodes (network
 * namespaces, each with its own packaged agent and a real TCP service; see {@link Fleet}). The fleet is built once:
 * the tests run in order, as an operator would: a dry run, a migration, its re-run, and a second migration that
 * fails in its second batch.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@KernelTest
class FleetPlaybookIT {

    private static final String PLAYBOOK = "ansible/renumber-fleet.yml";
    private static final String MOVE_TASK = "renumber.fleet.renumber : Move to the new address";
    private static final int NODES = 6;
    /** Batches of 1, 2 and 3 nodes (the playbook's default, [1, 2, "25%"], would make the last ones 1 node each). */
    private static final String SERIAL = "{\"renumber_serial\": [1, 2, 3]}";
    /** The dry run asks every node at once. */
    private static final String ONE_BATCH = "{\"renumber_serial\": " + NODES + "}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Fleet fleet;

    @BeforeAll
    void createFleet() throws Exception {
        fleet = Fleet.create(NODES);
    }

    @AfterAll
    void deleteFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    @Order(1)
    void checkModeShowsEveryNodesPlanAndChangesNothing() throws Exception {
        Path inventory = inventory(0, 1, Map.of());
        Ansible.Run run = Ansible.playbook("-i", inventory.toString(), PLAYBOOK, "-e", ONE_BATCH, "--check");

        assertEquals(0, run.exitCode(), run.output());
        for (int i = 1; i <= NODES; i++) {
            assertThat(fleet.ipv4(i)).as("node %d after --check", i).containsExactly(Fleet.address(0, i) + "/24");
            assertThat(run.output()).as("node %d's plan is shown", i)
                    .contains("\"newAddress\": \"" + Fleet.address(1, i) + "/24\"");
            assertThat(run.summary("n" + i)).contains(Fleet.address(0, i) + " -> " + Fleet.address(1, i) + "/24 PLANNED");
        }
        assertThat(run.recap()).hasSize(NODES);
        run.recap().forEach((host, recap) -> assertThat(recap.changed()).as("%s changed", host).isEqualTo(1));
        recentChanges(inventory).forEach((host, changes) -> assertThat(changes).as("%s's changes", host).isEmpty());
    }

    @Test
    @Order(2)
    void sixNodesMoveInBatchesOfOneTwoThreeAndServeOnTheirNewAddressOnly() throws Exception {
        Ansible.Run run = Ansible.playbook("-i", inventory(0, 1, Map.of()).toString(), PLAYBOOK, "-e", SERIAL);
        System.out.printf("FLEET six nodes renumbered by ansible-playbook in %.1f s%n", run.took().toMillis() / 1000.0);

        assertEquals(0, run.exitCode(), run.output());
        assertThat(run.batches(MOVE_TASK)).containsExactly(List.of("n1"), List.of("n2", "n3"), List.of("n4", "n5", "n6"));
        for (int i = 1; i <= NODES; i++) {
            assertThat(fleet.ipv4(i)).as("node %d", i).containsExactly(Fleet.address(1, i) + "/24");
            assertEquals(200, fleet.serviceStatus(Fleet.address(1, i)), "node " + i + "'s service on its new address");
            assertThat(run.recap().get("n" + i).changed()).as("node %d changed", i).isEqualTo(1);
            assertThat(run.summary("n" + i)).contains(Fleet.address(0, i) + " -> " + Fleet.address(1, i) + "/24 MOVED");
        }
    }

    @Test
    @Order(3)
    void aSecondRunChangesNothing() throws Exception {
        Ansible.Run run = Ansible.playbook("-i", inventory(0, 1, Map.of()).toString(), PLAYBOOK, "-e", SERIAL);

        assertEquals(0, run.exitCode(), run.output());
        assertThat(run.recap()).hasSize(NODES);
        run.recap().forEach((host, recap) -> {
            assertThat(recap.changed()).as("%s changed", host).isZero();
            assertThat(recap.failed()).as("%s failed", host).isZero();
        });
        for (int i = 1; i <= NODES; i++) {
            assertThat(fleet.ipv4(i)).containsExactly(Fleet.address(1, i) + "/24");
            assertThat(run.summary("n" + i)).contains("UNCHANGED");
        }
    }

    /**
     * Node 3 (second batch) has a client that never closes its connection and a 3 s drain timeout: its change ends
     * TIMED_OUT, which the role counts as a failure, so it moves the node back. The play stops before the third
     * batch.
     */
    @Test
    @Order(4)
    void aNodeFailingInTheSecondBatchIsMovedBackAndThePlayStopsBeforeTheThird() throws Exception {
        Process held = fleet.holdConnection(Fleet.address(1, 3));
        try {
            Path inventory = inventory(1, 2, Map.of(3, "renumber_drain_timeout: 3"));
            Ansible.Run run = Ansible.playbook("-i", inventory.toString(), PLAYBOOK, "-e", SERIAL);

            assertThat(run.exitCode()).as("exit code").isNotZero();
            assertThat(fleet.ipv4(1)).containsExactly(Fleet.address(2, 1) + "/24");
            assertThat(fleet.ipv4(2)).containsExactly(Fleet.address(2, 2) + "/24");
            assertThat(fleet.ipv4(3)).as("node 3, moved back").containsExactly(Fleet.address(1, 3) + "/24");
            for (int i = 4; i <= NODES; i++) {
                assertThat(fleet.ipv4(i)).as("node %d, third batch", i).containsExactly(Fleet.address(1, i) + "/24");
            }
            assertEquals(200, fleet.serviceStatus(Fleet.address(1, 3)), "node 3's service on its old address again");
            assertThat(run.recap()).containsOnlyKeys("n1", "n2", "n3");
            assertThat(run.recap().get("n3").failed()).isEqualTo(1);
            assertThat(run.recap().get("n3").rescued()).isEqualTo(1);
            assertThat(run.summary("n3")).contains("MOVED_BACK").contains("TIMED_OUT");
            assertThat(run.summary("n4")).contains("NOT_STARTED");

            Map<String, List<String>> recent = recentChanges(inventory);
            for (int i = 4; i <= NODES; i++) {
                assertThat(recent.get("n" + i)).as("n%d's changes: the first migration only", i).hasSize(1);
            }
            List<String> changes = recent.get("n3");
            assertThat(changes).hasSize(3);
            assertThat(changes.get(0)).as("the move back, most recent").contains(Fleet.address(2, 3)).contains("COMPLETED");
            assertThat(changes.get(1)).as("the move that timed out").contains(Fleet.address(2, 3)).contains("TIMED_OUT");
        } finally {
            held.destroyForcibly();
        }
    }

    /**
     * The module's cancel, which the role's rescue uses for a change still running: node 4's change, started without
     * waiting and kept draining by a client's connection, is cancelled and the node keeps its old address only.
     */
    @Test
    @Order(5)
    void theModuleCancelsAChangeStillRunning() throws Exception {
        Process held = fleet.holdConnection(Fleet.address(1, 4));
        try {
            Path inventory = inventory(1, 2, Map.of());
            JsonNode started = adHoc(inventory, "n4", "renumber.fleet.address_change", "interface=" + Fleet.INTERFACE
                    + " old_address={{ renumber_old_address }} new_address={{ renumber_new_address }} drain_timeout=300"
                    + " wait=false");
            assertThat(started.path("state").asText()).isIn("REQUESTED", "ADDING", "DRAINING");
            String id = started.path("change_id").asText();

            JsonNode cancelled = adHoc(inventory, "n4", "renumber.fleet.address_change", "state=cancelled change_id=" + id);

            assertEquals("CANCELLED", cancelled.path("state").asText(), cancelled.toString());
            assertThat(cancelled.path("changed").asBoolean()).isTrue();
            assertThat(cancelled.path("old_address_removed").asBoolean()).isFalse();
            assertThat(fleet.ipv4(4)).containsExactly(Fleet.address(1, 4) + "/24");
        } finally {
            held.destroyForcibly();
        }
    }

    /** One module run on one host, ad hoc, with the connection arguments from its inventory variables. */
    private JsonNode adHoc(Path inventory, String host, String module, String arguments) throws Exception {
        Ansible.Run run = Ansible.run(List.of("ansible", "-i", inventory.toString(), host, "-o", "-m", module, "-a",
                arguments + " url={{ renumber_url }} password_file={{ renumber_password_file }}"));
        assertEquals(0, run.exitCode(), run.output());
        String line = run.output().lines().filter(l -> l.startsWith(host + " | ")).findFirst().orElseThrow();
        return JSON.readTree(line.substring(line.indexOf("=>") + 2));
    }

    /**
     * An inventory moving node I from 10.40.FROM.I to 10.40.TO.I/24, each host reaching its node's agent with its
     * own URL and password file, through the shell that runs its commands inside its namespace.
     */
    private Path inventory(int from, int to, Map<Integer, String> extra) throws Exception {
        StringBuilder yaml = new StringBuilder("fleet:\n  hosts:\n");
        for (int i = 1; i <= NODES; i++) {
            yaml.append("    n").append(i).append(":\n")
                    .append("      renumber_old_address: ").append(Fleet.address(from, i)).append('\n')
                    .append("      renumber_new_address: ").append(Fleet.address(to, i)).append("/24\n")
                    .append("      renumber_url: ").append(fleet.agent(i).jolokiaUrl()).append('\n')
                    .append("      renumber_password_file: ").append(fleet.stateDir(i).resolve("credentials")).append('\n')
                    .append("      ansible_shell_executable: ").append(fleet.shell(i)).append('\n');
            if (i % 2 == 0) {
                yaml.append("      renumber_health_url: \"http://{{ renumber_new_ip }}:").append(Fleet.SERVICE_PORT)
                        .append("/\"\n");
            }
            if (extra.containsKey(i)) {
                yaml.append("      ").append(extra.get(i)).append('\n');
            }
        }
        yaml.append("  vars:\n")
                .append("    ansible_connection: local\n")
                .append("    ansible_pipelining: true\n")
                .append("    ansible_python_interpreter: auto_silent\n")
                .append("    renumber_interface: ").append(Fleet.INTERFACE).append('\n')
                .append("    renumber_drain_timeout: 30\n")
                .append("    renumber_health_port: ").append(Fleet.SERVICE_PORT).append('\n');
        Path file = fleet.dir().resolve("inventory-" + from + "-" + to + ".yml");
        Files.writeString(file, yaml);
        return file;
    }

    /**
     * Every node's finished changes, most recent first, as its agent lists them: the module agent_info, ad hoc, on
     * every host of an inventory (its arguments are templated with each host's variables).
     */
    private Map<String, List<String>> recentChanges(Path inventory) throws Exception {
        Ansible.Run run = Ansible.run(List.of("ansible", "-i", inventory.toString(), "fleet", "-o", "-m",
                "renumber.fleet.agent_info", "-a", "url={{ renumber_url }} password_file={{ renumber_password_file }}"));
        assertEquals(0, run.exitCode(), run.output());
        Map<String, List<String>> changes = new java.util.TreeMap<>();
        for (String line : run.output().lines().filter(l -> l.contains(" | SUCCESS => ")).toList()) {
            JsonNode result = JSON.readTree(line.substring(line.indexOf("=>") + 2));
            List<String> recent = new java.util.ArrayList<>();
            result.path("recent_changes").forEach(c -> recent.add(c.asText()));
            changes.put(line.substring(0, line.indexOf(' ')), recent);
        }
        assertThat(changes).as("agent_info answers for every node").hasSize(NODES);
        return changes;
    }
}
