package org.renumber.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.ConnectionTracker;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.NetNsPeer.Stack;

/**
 * {@link SockDiagConnectionTracker} against real TCP connections: a {@code TcpPeer} server in namespace A on
 * 10.9.0.1:5000 and a client JVM in namespace B connecting to it.
 */
class SockDiagConnectionTrackerTest {

    private static final InetAddress A = IpLiterals.parse(NetNsFixture.ADDRESS_A);
    private static final InetAddress B = IpLiterals.parse(NetNsFixture.ADDRESS_B);
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private NetNsFixture fixture;
    private LinuxNetns netnsA;

    @BeforeEach
    void createNamespaces() {
        fixture = NetNsFixture.create();
        netnsA = LinuxNetns.open(fixture.a());
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (RuntimeException e) {
                // keep closing the rest
            }
        }
        netnsA.close();
        fixture.close();
    }

    @Test
    void listenerAndConnectionsOfADualStackServerAreFoundByItsIpv4Address() throws Exception {
        serverInA(Stack.DUAL, "10.9.0.1", 5000);
        clientsInB(Stack.DUAL, "10.9.0.1", 5000, 3);
        SockDiagConnectionTracker tracker = tracker(netnsA, Duration.ofSeconds(2));

        List<SocketEntry> sockets = tracker.sockets(A);

        // Java's sockets are AF_INET6 by default: the kernel lists them as ::ffff:10.9.0.1.
        assertThat(fixture.exec(fixture.a(), "ss", "-Htn", "src", "10.9.0.1")).contains("[::ffff:10.9.0.1]:5000");
        assertThat(sockets).filteredOn(SocketEntry::isListener).singleElement()
                .satisfies(s -> assertThat(s.local().getPort()).isEqualTo(5000));
        assertThat(sockets).filteredOn(s -> s.state() == TcpState.ESTABLISHED).hasSize(3)
                .allSatisfy(s -> {
                    assertThat(s.local().getAddress()).isEqualTo(A);
                    assertThat(s.remote().getAddress()).isEqualTo(B);
                    assertThat(s.inode()).isNotZero();
                });
        assertThat(sockets).hasSize(4);
        assertThat(tracker.countConnections(A)).isEqualTo(3);
    }

    @Test
    void plainIpv4SocketsAreFoundAndTheFilterLooksAtTheLocalAddressOnly() throws Exception {
        serverInA(Stack.IPV4_ONLY, "10.9.0.1", 5000);
        clientsInB(Stack.IPV4_ONLY, "10.9.0.1", 5000, 2);
        SockDiagConnectionTracker trackerA = tracker(netnsA, Duration.ofSeconds(2));
        LinuxNetns netnsB = LinuxNetns.open(fixture.b());
        resources.add(netnsB);
        SockDiagConnectionTracker trackerB = tracker(netnsB, Duration.ofSeconds(2));

        assertThat(fixture.exec(fixture.a(), "ss", "-Htn", "src", "10.9.0.1")).contains(" 10.9.0.1:5000");
        assertThat(trackerA.countConnections(A)).isEqualTo(2);
        assertThat(trackerA.sockets(A)).filteredOn(SocketEntry::isListener).hasSize(1);
        // In B the clients' local address is 10.9.0.2; 10.9.0.1 is only their remote end.
        assertThat(trackerB.sockets(B)).hasSize(2).allSatisfy(s -> assertThat(s.remote().getPort()).isEqualTo(5000));
        assertThat(trackerB.sockets(A)).isEmpty();
        assertThat(trackerA.sockets(IpLiterals.parse("10.9.0.3"))).isEmpty();
    }

    @Test
    void ipv6ConnectionsAreFoundByTheIpv6Address() throws Exception {
        serverInA(Stack.DUAL, "2001:db8:9::1", 6000);
        clientsInB(Stack.DUAL, "2001:db8:9::1", 6000, 2);
        SockDiagConnectionTracker tracker = tracker(netnsA, Duration.ofSeconds(2));

        InetAddress a6 = IpLiterals.parse(NetNsFixture.ADDRESS6_A);
        assertThat(tracker.countConnections(a6)).isEqualTo(2);
        assertThat(tracker.sockets(a6)).filteredOn(SocketEntry::isListener).hasSize(1);
        assertThat(tracker.sockets(A)).isEmpty();
    }

    @Test
    void aConnectionClosedByTheApplicationIsOrphanedAndNoLongerCounts() throws Exception {
        NetNsPeer server = serverInA(Stack.DUAL, "10.9.0.1", 5000);
        clientsInB(Stack.DUAL, "10.9.0.1", 5000, 2);
        SockDiagConnectionTracker tracker = tracker(netnsA, Duration.ofSeconds(2));
        assertThat(tracker.countConnections(A)).isEqualTo(2);

        // The server closes; the clients do not: its sockets wait in FIN_WAIT2 with no process owning them.
        assertThat(server.ask("close")).isEqualTo("CLOSED");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(tracker.sockets(A))
                .filteredOn(s -> !s.isListener()).hasSize(2)
                .allSatisfy(s -> {
                    assertThat(s.inode()).isZero();
                    assertThat(s.state()).isIn(TcpState.FIN_WAIT1, TcpState.FIN_WAIT2);
                }));
        assertThat(tracker.countConnections(A)).isZero();
        assertThat(tracker.sockets(A)).filteredOn(SocketEntry::isListener).hasSize(1);
    }

    @Test
    void watchStartsWithTheCurrentCountAndDestroyEventsBringItToZero() throws Exception {
        serverInA(Stack.DUAL, "10.9.0.1", 5000);
        NetNsPeer clients = clientsInB(Stack.DUAL, "10.9.0.1", 5000, 3);
        // No safety timer to speak of: only the kernel's destroy events can move the count.
        SockDiagConnectionTracker tracker = tracker(netnsA, Duration.ofHours(1));
        List<Integer> counts = new CopyOnWriteArrayList<>();

        ConnectionTracker.Watch watch = tracker.watch(A, counts::add);
        resources.add(watch);

        assertThat(counts).containsExactly(3);
        // The clients close; the server's echo threads see EOF and close; the kernel frees the sockets.
        assertThat(clients.ask("close")).isEqualTo("CLOSED");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts).last().isEqualTo(0));
        assertThat(counts).isSortedAccordingTo((x, y) -> Integer.compare(y, x));
    }

    @Test
    void watchNoticesOrphanedConnectionsThroughTheSafetyTimer() throws Exception {
        NetNsPeer server = serverInA(Stack.DUAL, "10.9.0.1", 5000);
        clientsInB(Stack.DUAL, "10.9.0.1", 5000, 2);
        SockDiagConnectionTracker tracker = tracker(netnsA, Duration.ofMillis(200));
        List<Integer> counts = new CopyOnWriteArrayList<>();
        resources.add(tracker.watch(A, counts::add));

        // Orphaned sockets are not destroyed (no event) until FIN_WAIT2 times out; only a re-count sees them.
        assertThat(server.ask("close")).isEqualTo("CLOSED");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts).containsExactly(2, 0));
    }

    @Test
    void closingTheLastWatchStopsTheEventReaderAndClosingTheTrackerItsThread() throws Exception {
        SockDiagConnectionTracker tracker = tracker(netnsA, Duration.ofSeconds(2));
        String events = "renumber-tracker-events-" + fixture.a();
        String timer = "renumber-tracker-" + fixture.a();
        List<Integer> counts = new CopyOnWriteArrayList<>();

        ConnectionTracker.Watch first = tracker.watch(A, counts::add);
        ConnectionTracker.Watch second = tracker.watch(B, counts::add);
        assertThat(counts).containsExactly(0, 0);
        assertThat(threadAlive(events)).isTrue();

        first.close();
        assertThat(threadAlive(events)).as("one watch still open").isTrue();
        second.close();
        await().atMost(PATIENCE).until(() -> !threadAlive(events));

        tracker.close();
        await().atMost(PATIENCE).until(() -> !threadAlive(timer));
    }

    private SockDiagConnectionTracker tracker(LinuxNetns netns, Duration safetyInterval) {
        SockDiagConnectionTracker tracker = new SockDiagConnectionTracker(netns, safetyInterval);
        resources.add(tracker);
        return tracker;
    }

    private NetNsPeer serverInA(Stack stack, String address, int port) throws Exception {
        NetNsPeer peer = NetNsPeer.start(fixture.a(), stack, "READY", "server", address, String.valueOf(port));
        resources.add(peer);
        return peer;
    }

    private NetNsPeer clientsInB(Stack stack, String address, int port, int count) throws Exception {
        NetNsPeer peer = NetNsPeer.start(fixture.b(), stack, "CONNECTED", "client", "any", address,
                String.valueOf(port), String.valueOf(count));
        resources.add(peer);
        return peer;
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
