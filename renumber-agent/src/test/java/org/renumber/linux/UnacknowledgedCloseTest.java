package org.renumber.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.linux.sockdiag.SockDiagConnectionTracker;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.UnacknowledgedClose;

/**
 * What "closed" means for a drain (docs/architecture.md, "Drain"), on the real kernel: a socket its application
 * closed still holds the address while the peer has not acknowledged its FIN (LAST_ACK, FIN_WAIT1 with data in the
 * send queue), since removing the address would cut off what the application wrote. Once the peer acknowledges,
 * the kernel lets the sockets go and the count falls to 0 from its events.
 */
@Tag("kernel")
@KernelTest
class UnacknowledgedCloseTest {

    private static final InetAddress A = IpLiterals.parse(NetNsFixture.ADDRESS_A);
    private static final int CONNECTIONS = 20;

    private NetNsFixture fixture;
    private LinuxNetns netnsA;
    private LinuxNetns netnsB;
    private SockDiagConnectionTracker tracker;

    @BeforeEach
    void createNamespaces() {
        fixture = NetNsFixture.create();
        netnsA = LinuxNetns.open(fixture.a());
        netnsB = LinuxNetns.open(fixture.b());
        tracker = new SockDiagConnectionTracker(netnsA);
    }

    @AfterEach
    void closeEverything() {
        try (NetNsFixture f = fixture; LinuxNetns a = netnsA; LinuxNetns b = netnsB;
             SockDiagConnectionTracker t = tracker) {
            // closed in reverse order, each even if another fails
        }
    }

    private List<SocketEntry> owingThePeer() {
        return tracker.sockets(A).stream().filter(s -> s.inode() == 0 && s.state().awaitsFinAcknowledgement()).toList();
    }

    @Test
    void closedSocketsWhosePeerHasNotAcknowledgedTheirFinCountUntilItHas() throws Exception {
        try (UnacknowledgedClose closed = UnacknowledgedClose.start(fixture, netnsA, netnsB, NetNsFixture.ADDRESS_A,
                7100, CONNECTIONS)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> owingThePeer().size() == CONNECTIONS);
            assertThat(owingThePeer()).extracting(SocketEntry::state).containsOnly(TcpState.LAST_ACK, TcpState.FIN_WAIT1)
                    .contains(TcpState.LAST_ACK, TcpState.FIN_WAIT1);
            assertThat(tracker.countConnections(A)).isEqualTo(CONNECTIONS);
            List<Integer> counts = new CopyOnWriteArrayList<>();
            try (ConnectionTracker.Watch watch = tracker.watch(A, counts::add)) {
                assertThat(counts).containsExactly(CONNECTIONS);

                closed.peerBack();

                await().atMost(Duration.ofSeconds(60)).until(() -> !counts.isEmpty() && counts.get(counts.size() - 1) == 0);
                assertThat(owingThePeer()).as("gone when the count reached 0").isEmpty();
            }
        }
    }
}
