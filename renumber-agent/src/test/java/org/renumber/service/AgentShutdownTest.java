package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.testing.InMemoryKernel;
import org.renumber.testing.InMemoryNetwork;

/**
 * An agent that stops (systemctl stop, a restart) while a change is under way must leave the change journaled where
 * it was, for the next start to finish: stopping is not a reason to fail the change and roll it back.
 */
class AgentShutdownTest {

    private static final InterfaceAddress OLD = InterfaceAddress.parse("10.9.0.1/24");
    private static final InterfaceAddress NEW = InterfaceAddress.parse("10.9.1.1/24");

    private final InMemoryKernel kernel = new InMemoryKernel(new InMemoryNetwork().withInterface("v0", "10.9.0.1/24"));

    @Test
    void aChangeStartingWhileTheAgentStopsStaysJournaledAndTheNextStartFinishesIt() throws Exception {
        // The agent stops between the pre-start hook and the drain: its timers are gone when the drain needs one.
        AtomicReference<AddressChangeService> first = new AtomicReference<>();
        PreStartHook agentStops = change -> first.get().close();
        first.set(new AddressChangeService(kernel.ports(), kernel.journal, kernel.settings,
                new SubscriberRegistry(kernel.journal), Clock.systemUTC(), agentStops));
        first.get().start();
        String id = first.get().changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 30);
        await().atMost(Duration.ofSeconds(30)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(thread -> thread.getName().equals("renumber-change-" + id)));

        assertEquals(ChangeState.DRAINING, journaled(id).progress().state(), "the stopped agent's journal");
        assertThat(kernel.network.addresses("v0")).containsExactlyInAnyOrder(OLD, NEW);

        AddressChangeService second = kernel.startService(event -> { });
        try {
            assertEquals(ChangeState.COMPLETED, second.awaitChange(id, 30));
            assertThat(kernel.network.addresses("v0")).containsExactly(NEW);
        } finally {
            second.close();
        }
    }

    private Change journaled(String id) {
        return kernel.journal.changes().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }
}
