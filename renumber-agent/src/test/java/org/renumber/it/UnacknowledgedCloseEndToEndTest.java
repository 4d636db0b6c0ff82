package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.renumber.linux.LinuxNetns;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.RemoteJmx;
import org.renumber.testing.UnacknowledgedClose;

/**
 * A change does not drain while sockets its application closed still owe the peer data or a FIN (LAST_ACK,
 * FIN_WAIT1 with a send queue: docs/architecture.md, "Drain"), so the old address is not removed under them; once
 * the peer acknowledges, it drains and completes.
 */
@Tag("kernel")
@KernelTest
class UnacknowledgedCloseEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = NetNsFixture.ADDRESS_A;
    private static final String NEW = "10.9.1.1/24";

    private AgentFixture fixture;

    @AfterEach
    void stopEverything() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void twentySocketsWaitingForThePeersAcknowledgementHoldTheDrainUntilItComes() throws Exception {
        fixture = new AgentFixture("rn-it-ack-");
        LinuxNetns a = fixture.keep(LinuxNetns.open(fixture.net.a()));
        LinuxNetns b = fixture.keep(LinuxNetns.open(fixture.net.b()));
        UnacknowledgedClose closed = fixture.keep(UnacknowledgedClose.start(fixture.net, a, b, OLD, 7100, 20));
        RemoteJmx jmx = fixture.keep(fixture.jmx());
        await().atMost(Duration.ofSeconds(30)).until(() ->
                (Integer) jmx.invoke("renumber:type=ConnectionTracker", "countConnections", OLD) == 20);

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, NEW, "", 120L);
        String change = "renumber:type=AddressChange,id=" + id;

        await().atMost(Duration.ofSeconds(30)).until(() -> "DRAINING".equals(jmx.get(change, "State")));
        // Several safety walks and orphan checks long: the sockets keep the change draining.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30)).until(() ->
                "DRAINING".equals(jmx.get(change, "State")) && (Integer) jmx.get(change, "RemainingConnections") == 20);
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).contains(OLD + "/24");

        closed.peerBack();

        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 90L));
        assertEquals("DRAINED", jmx.get(change, "Outcome"));
        assertThat(fixture.net.exec(fixture.net.a(), "ss", "-Htn", "state", "last-ack", "state", "fin-wait-1",
                "state", "closing")).as("nothing owed to the peer is left").isBlank();
        assertThat(fixture.net.addresses(fixture.net.a(), "v0")).doesNotContain(OLD + "/24");
    }
}
