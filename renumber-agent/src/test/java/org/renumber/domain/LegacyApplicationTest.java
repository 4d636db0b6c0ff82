package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LegacyApplicationTest {

    private static final LegacyApplication WEB = new LegacyApplication(" web-legacy ", "web", " python3 -m http.server ",
            "", 10, 60);

    @Test
    void anEmptyTargetListConcernsEveryApplicationAGroupListOnlyItsGroup() {
        assertThat(WEB.targetedBy("")).isTrue();
        assertThat(WEB.targetedBy(null)).isTrue();
        assertThat(WEB.targetedBy("app1, group:web")).isTrue();
        assertThat(WEB.targetedBy("group:db")).isFalse();
        assertThat(WEB.targetedBy("web")).as("a subscriber id, not a group").isFalse();
        LegacyApplication ungrouped = new LegacyApplication("batch", "", "batch.sh", "", 0, 1);
        assertThat(ungrouped.targetedBy("group:web")).isFalse();
        assertThat(ungrouped.targetedBy("")).isTrue();
    }

    @Test
    void valuesAreStrippedAndNoRestartCommandMeansItsSupervisorRestartsIt() {
        assertThat(WEB.name()).isEqualTo("web-legacy");
        assertThat(WEB.processPattern()).isEqualTo("python3 -m http.server");
        assertThat(WEB.restartedBySupervisor()).isTrue();
        assertThat(WEB.pattern().matcher("/usr/bin/python3 -m http.server 8080").find()).isTrue();
        assertThat(WEB.describe()).isEqualTo("web-legacy group=web pattern=python3 -m http.server "
                + "restart=(by its supervisor) grace=10s startup=60s");
    }

    @Test
    void badDeclarationsAreRefusedNamingTheArgument() {
        assertThatThrownBy(() -> new LegacyApplication("web", "", "(", "", 10, 60))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("processPattern '(' is not a valid regular expression");
        assertThatThrownBy(() -> new LegacyApplication("web", "", " ", "", 10, 60))
                .hasMessageStartingWith("processPattern is required");
        assertThatThrownBy(() -> new LegacyApplication("web", "", "x", "", 3601, 60))
                .hasMessage("graceSeconds 3601 is out of range: use 0 to 3600");
        assertThatThrownBy(() -> new LegacyApplication("web", "", "x", "", 10, 0))
                .hasMessage("startupSeconds 0 is out of range: use 1 to 3600");
        assertThatThrownBy(() -> new LegacyApplication("web app", "", "x", "", 10, 60))
                .hasMessageStartingWith("application name 'web app' is invalid");
    }
}
