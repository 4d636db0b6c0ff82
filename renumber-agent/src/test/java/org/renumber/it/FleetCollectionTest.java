package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.renumber.testing.Ansible;

/**
 * The Ansible collection {@code renumber.fleet} as an operator first meets it: its documentation through
 * {@code ansible-doc}, a playbook Ansible accepts, and YAML that yamllint passes. ({@code ansible-test sanity}
 * installs its own tools from PyPI, which CI does not reach.) Needs ansible-core and yamllint (.ci/run installs
 * them); no root, no agent.
 */
class FleetCollectionTest {

    @Test
    void ansibleDocDescribesTheModulesTheRoleAndTheCallback() throws Exception {
        Ansible.Run module = doc("renumber.fleet.address_change");
        assertThat(module.output()).contains("RENUMBER.FLEET.ADDRESS_CHANGE", "drain_timeout", "new_address",
                "old_address", "password_file", "EXAMPLES", "RETURN VALUES", "notifications", "check mode");
        assertThat(doc("renumber.fleet.agent_info").output()).contains("active_changes");
        assertThat(doc("-t", "role", "renumber.fleet.renumber").output()).contains("renumber_health_port",
                "renumber_old_address");
        assertThat(doc("-t", "callback", "renumber.fleet.summary").output()).contains("NOT_STARTED");
    }

    @Test
    void thePlaybookPassesAnsiblesSyntaxCheck() throws Exception {
        Ansible.Run run = Ansible.playbook("-i", "localhost,", "--syntax-check", "ansible/renumber-fleet.yml");
        assertEquals(0, run.exitCode(), run.output());
        assertThat(run.output()).doesNotContain("WARNING");
    }

    @Test
    void theCollectionsYamlPassesYamllint() throws Exception {
        Ansible.Run run = Ansible.run(List.of("yamllint", "-c", "ansible/.yamllint", "-s", "ansible"));
        assertEquals(0, run.exitCode(), run.output());
    }

    private static Ansible.Run doc(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("ansible-doc"));
        command.addAll(List.of(args));
        Ansible.Run run = Ansible.run(command);
        assertEquals(0, run.exitCode(), run.output());
        assertThat(run.output()).doesNotContain("ERROR");
        return run;
    }
}
