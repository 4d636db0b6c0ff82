package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeWarning;
import org.renumber.domain.ChangeState;
import org.renumber.jmx.JmxAdapter;
import org.renumber.jmx.ServiceFixture;

/**
 * The client library against the agent's real MBeans (service on the in-memory kernel): a scheduled change's
 * warning reaches the handler, and completing the handler's warning calls ready(changeId), which starts the change.
 */
class WarningAcknowledgementTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ServiceFixture fixture = new ServiceFixture();
    private JmxAdapter adapter;
    private AddressChangeClient client;

    @BeforeEach
    void startAgent() {
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        fixture.start();
    }

    @AfterEach
    void stopAgent() {
        if (client != null) {
            client.close();
        }
        adapter.close();
        fixture.close();
    }

    @Test
    void completingTheHandlersWarningTellsTheAgentAndTheChangeStartsBeforeItsWarningTime() throws Exception {
        CompletableFuture<Void> preparation = new CompletableFuture<>();
        List<AddressChangeEvent> warnings = new CopyOnWriteArrayList<>();
        List<String> started = new CopyOnWriteArrayList<>();
        client = AddressChangeClient.builder(server).connect();
        client.subscribe("app", "web", "", new AddressChangeHandler() {
            @Override
            public CompletionStage<Void> warning(AddressChangeEvent event) {
                warnings.add(event);
                return preparation;
            }

            @Override
            public void started(AddressChangeEvent event) {
                started.add(event.changeId());
            }
        });

        String id = fixture.service.scheduleChange("v0", "10.9.0.1", "10.9.1.1/24", "app", 30, 3600);

        await().until(() -> warnings.size() == 1);
        AddressChangeEvent warning = warnings.get(0);
        assertEquals(id, warning.changeId());
        assertEquals("WARNING", warning.state());
        assertThat(warning.details().get("warningEnd")).asString().isNotEmpty();
        assertEquals(ChangeState.WARNING, fixture.service.change(id).orElseThrow().progress().state());

        preparation.complete(null);

        assertEquals(ChangeState.COMPLETED, fixture.service.awaitChange(id, 10));
        ObjectName change = new ObjectName("renumber:type=AddressChange,id=" + id);
        assertEquals(ChangeWarning.StartReason.ALL_TARGETS_READY.name(), server.getAttribute(change, "StartReason"));
        assertThat((String[]) server.getAttribute(change, "Acknowledged")).containsExactly("app");
        await().until(() -> started.contains(id));
    }
}
