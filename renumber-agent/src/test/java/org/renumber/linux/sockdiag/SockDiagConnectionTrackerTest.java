package org.renumber.linux.sockdiag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.linux.LinuxNetns;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer.Stack;
import org.renumber.testing.NetNsPeer;

/**
 * {@link SockDiagConnectionTracker} against real TCP connections: a {@code TcpPeer} server in namespace A on
 * 10.9.0.1:5000 and a client JVM in namespace B connecting to it.
 *
 * <p>Which path moved a count is told by the tracker's own counters, never by timing: {@code walks()} (table
 * walks), {@code lookups()} (sockets looked up by id) and {@code eventsQueued()} (destroy events on watched
 * addresses); a timer set to {@link #NEVER} is out of the picture.
 */
@KernelTest
class SockDiagConnectionTrackerTest {

    private static final InetAddress A = IpLiterals.parse(NetNsFixture.ADDRESS_A);
    private static final InetAddress B = IpLiterals.parse(NetNsFixture.ADDRESS_B);
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    /** A timer interval no test outlives: the timer never fires. */
    private static final Duration NEVER = Duration.ofHours(1);

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

        // The server closes; the clients do not: once they acknowledge the FIN, its sockets wait in FIN_WAIT2 with
        // no process owning them and nothing owed to the peer.
        assertThat(server.ask("close")).isEqualTo("CLOSED");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(tracker.sockets(A))
                .filteredOn(s -> !s.isListener()).hasSize(2)
                .allSatisfy(s -> {
                    assertThat(s.inode()).isZero();
                    assertThat(s.state()).isEqualTo(TcpState.FIN_WAIT2);
                }));
        assertThat(tracker.countConnections(A)).isZero();
        assertThat(tracker.sockets(A)).filteredOn(SocketEntry::isListener).hasSize(1);
    }

    @Test
    void watchStartsWithTheCurrentCountAndDestroyEventsBringItToZeroWithoutAnotherWalk() throws Exception {
        serverInA(Stack.DUAL, "10.9.0.1", 5000);
        NetNsPeer clients = clientsInB(Stack.DUAL, "10.9.0.1", 5000, 3);
        // No timers to speak of: only the kernel's destroy events can move the count.
        SockDiagConnectionTracker tracker = tracker(netnsA, NEVER, NEVER);
        List<Integer> counts = new CopyOnWriteArrayList<>();

        ConnectionTracker.Watch watch = tracker.watch(A, counts::add);
        resources.add(watch);

        assertThat(counts).containsExactly(3);
        assertThat(tracker.walks()).as("the watch's first count").isEqualTo(1);
        // The clients close; the server's echo threads see EOF and close; the kernel frees the sockets.
        assertThat(clients.ask("close")).isEqualTo("CLOSED");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts).last().isEqualTo(0));
        assertThat(counts).isSortedAccordingTo((x, y) -> Integer.compare(y, x));
        assertThat(tracker.walks()).as("destroy events are counted without walking the table").isEqualTo(1);
        assertThat(tracker.eventsQueued()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void destroyEventsThatArriveDuringTheFirstWalkAreAppliedBeforeTheFirstCount() throws Exception {
        serverInA(Stack.DUAL, "10.9.0.1", 5000);
        NetNsPeer clients = clientsInB(Stack.DUAL, "10.9.0.1", 5000, 3);
        SockDiagConnectionTracker tracker = tracker(netnsA, NEVER, NEVER);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        AtomicBoolean once = new AtomicBoolean();
        // Between the walk (which saw 3 connections) and applying it, the 3 are closed and freed, and their
        // destroy events reach the tracker: the race a real drain has when connections close during the walk.
        tracker.afterWalk(address -> {
            if (!once.compareAndSet(false, true)) {
                return;
            }
            try {
                assertThat(clients.ask("close")).isEqualTo("CLOSED");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            await().atMost(PATIENCE).until(() -> tracker.eventsQueued() >= 3);
        });

        resources.add(tracker.watch(A, counts::add));

        assertThat(once).isTrue();
        assertThat(counts).containsExactly(0);
        assertThat(tracker.walks()).isEqualTo(1);
    }

    @Test
    void eventsMoveTheCountWhileASafetyWalkIsInProgressAndTheWalkDoesNotBringTheirSocketsBack() throws Exception {
        serverInA(Stack.DUAL, "10.9.0.1", 5000);
        NetNsPeer clients = clientsInB(Stack.DUAL, "10.9.0.1", 5000, 3);
        SockDiagConnectionTracker tracker = tracker(netnsA, Duration.ofMillis(100), NEVER);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        AtomicInteger walksDone = new AtomicInteger();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // The first safety walk saw the 3 connections; it is held between the walk and applying it, the window
        // a 28 ms walk at 100,000 sockets opens on every safety tick.
        tracker.afterWalk(address -> {
            if (walksDone.incrementAndGet() == 2) {
                held.countDown();
                await().atMost(PATIENCE).until(() -> release.getCount() == 0);
            }
        });

        resources.add(tracker.watch(A, counts::add));
        assertThat(counts).containsExactly(3);
        assertThat(held.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(clients.ask("close")).isEqualTo("CLOSED");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts).last().isEqualTo(0));
        assertThat(walksDone).as("the safety walk is still held").hasValue(2);
        release.countDown();
        // A walk starts only after the one before it was applied: two more walks mean the held one was applied.
        await().atMost(PATIENCE).until(() -> walksDone.get() >= 4);
        assertThat(counts).isSortedAccordingTo((x, y) -> Integer.compare(y, x)).last().isEqualTo(0);
    }

    @Test
    void anEventInASmallSetAlsoDropsTheOrphansLeftInItByLookingThemUp() throws Exception {
        NetNsPeer lingering = serverInA(Stack.DUAL, "10.9.0.1", 5000);
        clientsInB(Stack.DUAL, "10.9.0.1", 5000, 1);
        serverInA(Stack.DUAL, "10.9.0.1", 5001);
        // A client in A itself, whose connection ends for good (both ends freed, with events).
        NetNsPeer local = NetNsPeer.start(fixture.a(), Stack.DUAL, "CONNECTED", "client", "any", "10.9.0.1",
                "5001", "1");
        resources.add(local);
        SockDiagConnectionTracker tracker = tracker(netnsA, NEVER, NEVER);
        SockDiagConnectionTracker observer = tracker(netnsA, NEVER, NEVER);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        resources.add(tracker.watch(A, counts::add));
        assertThat(counts).as("5000 from B, and both ends of the local connection to 5001").containsExactly(3);

        orphanWithoutAnEvent(lingering, observer, 5000);
        // The local connection ends for good: its destroy events, and a lookup of the one left, make it 0.
        assertThat(local.ask("close")).isEqualTo("CLOSED");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts).last().isEqualTo(0));
        assertThat(tracker.walks()).isEqualTo(1);
        assertThat(tracker.lookups()).isPositive();
        assertThat(observer.sockets(A)).as("the orphan is still there").anySatisfy(s -> {
            assertThat(s.local().getPort()).isEqualTo(5000);
            assertThat(s.inode()).isZero();
        });
    }

    @Test
    void watchNoticesOrphanedConnectionsThroughTheSafetyTimer() throws Exception {
        NetNsPeer server = serverInA(Stack.DUAL, "10.9.0.1", 5000);
        clientsInB(Stack.DUAL, "10.9.0.1", 5000, 2);
        // The orphan check is off (not shorter than the safety interval): only walks can see the orphans.
        SockDiagConnectionTracker tracker = tracker(netnsA, Duration.ofMillis(200), Duration.ofMillis(200));
        List<Integer> counts = new CopyOnWriteArrayList<>();
        resources.add(tracker.watch(A, counts::add));

        orphanWithoutAnEvent(server, null, 5000);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts).last().isEqualTo(0));
        assertThat(counts).first().isEqualTo(2);
        assertThat(tracker.walks()).isGreaterThan(1);
        assertThat(tracker.lookups()).isZero();
        assertThat(tracker.eventsQueued()).as("FIN_WAIT2 orphans kept by tcp_fin_timeout are not freed").isZero();
    }

    @Test
    void watchNoticesOrphanedConnectionsByLookingThemUpWithoutAWalk() throws Exception {
        NetNsPeer server = serverInA(Stack.DUAL, "10.9.0.1", 5000);
        clientsInB(Stack.DUAL, "10.9.0.1", 5000, 2);
        SockDiagConnectionTracker tracker = tracker(netnsA, NEVER, Duration.ofMillis(100));
        List<Integer> counts = new CopyOnWriteArrayList<>();
        resources.add(tracker.watch(A, counts::add));

        orphanWithoutAnEvent(server, null, 5000);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts).last().isEqualTo(0));
        assertThat(counts).first().isEqualTo(2);
        assertThat(counts).isSortedAccordingTo((x, y) -> Integer.compare(y, x));
        assertThat(tracker.walks()).isEqualTo(1);
        assertThat(tracker.lookups()).isPositive();
        assertThat(tracker.eventsQueued()).isZero();
    }

    @Test
    void anOrphanWhosePeerAcknowledgesItsFinIsFreedWithAnEvent() throws Exception {
        NetNsPeer server = serverInA(Stack.DUAL, "10.9.0.1", 5000);
        clientsInB(Stack.DUAL, "10.9.0.1", 5000, 2);
        SockDiagConnectionTracker tracker = tracker(netnsA, NEVER, NEVER);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        resources.add(tracker.watch(A, counts::add));

        // The clients stay open, yet the kernel frees the server's sockets once B acknowledges their FIN: what
        // remains in FIN_WAIT2 is a small timewait-style entry, and the full socket's destroy event is sent.
        assertThat(server.ask("close")).isEqualTo("CLOSED");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts).last().isEqualTo(0));
        await().atMost(PATIENCE).until(() -> tracker.eventsQueued() >= 2);
        assertThat(tracker.walks()).isEqualTo(1);
        assertThat(tracker.sockets(A)).filteredOn(s -> !s.isListener()).hasSize(2)
                .allSatisfy(s -> {
                    assertThat(s.state()).isEqualTo(TcpState.FIN_WAIT2);
                    assertThat(s.inode()).isZero();
                });
    }

    @Test
    void connectionsOpenedAfterTheWatchStartedAreFoundByTheSafetyWalk() throws Exception {
        serverInA(Stack.DUAL, "10.9.0.1", 5000);
        SockDiagConnectionTracker tracker = tracker(netnsA, Duration.ofMillis(200), NEVER);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        resources.add(tracker.watch(A, counts::add));
        assertThat(counts).containsExactly(0);

        // No event announces a new socket: only the safety walk can find these.
        clientsInB(Stack.DUAL, "10.9.0.1", 5000, 2);

        // A walk may run between the two connects and report 1 on the way: what matters is that the walks find
        // both and never count more than there are.
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts).last().isEqualTo(2));
        assertThat(counts).startsWith(0).isSorted().allSatisfy(count -> assertThat(count).isBetween(0, 2));
    }

    @Test
    void oneWalkFindsAfInetAndIpv4MappedSocketsOnAnIpv4Address() throws Exception {
        serverInA(Stack.IPV4_ONLY, "10.9.0.1", 5000);
        clientsInB(Stack.IPV4_ONLY, "10.9.0.1", 5000, 2);
        serverInA(Stack.DUAL, "10.9.0.1", 5001);
        clientsInB(Stack.DUAL, "10.9.0.1", 5001, 3);
        serverInA(Stack.DUAL, "2001:db8:9::1", 6000);
        clientsInB(Stack.DUAL, "2001:db8:9::1", 6000, 1);
        SockDiagConnectionTracker tracker = tracker(netnsA, Duration.ofSeconds(2));
        String ss = fixture.exec(fixture.a(), "ss", "-Htn", "src", "10.9.0.1");
        assertThat(ss).contains(" 10.9.0.1:5000").contains("[::ffff:10.9.0.1]:5001");

        List<SocketEntry> sockets = tracker.sockets(A);

        assertThat(tracker.walks()).isEqualTo(1);
        assertThat(sockets).filteredOn(SocketEntry::isListener).extracting(s -> s.local().getPort())
                .containsExactlyInAnyOrder(5000, 5001);
        assertThat(sockets).filteredOn(SocketEntry::isLiveConnection).extracting(s -> s.local().getPort())
                .containsExactlyInAnyOrder(5000, 5000, 5001, 5001, 5001);
        assertThat(sockets).allSatisfy(s -> assertThat(s.local().getAddress()).isEqualTo(A));
        assertThat(tracker.countConnections(A)).isEqualTo(5);
        assertThat(tracker.walks()).isEqualTo(2);
        InetAddress a6 = IpLiterals.parse(NetNsFixture.ADDRESS6_A);
        assertThat(tracker.countConnections(a6)).isEqualTo(1);
        assertThat(tracker.walks()).isEqualTo(3);
    }

    @Test
    void watchesOnIpv4AndIpv6AddressesCountTheirOwnSocketsOnly() throws Exception {
        serverInA(Stack.DUAL, "10.9.0.1", 5000);
        NetNsPeer v4 = clientsInB(Stack.DUAL, "10.9.0.1", 5000, 2);
        serverInA(Stack.DUAL, "2001:db8:9::1", 6000);
        NetNsPeer v6 = clientsInB(Stack.DUAL, "2001:db8:9::1", 6000, 3);
        SockDiagConnectionTracker tracker = tracker(netnsA, NEVER, NEVER);
        List<Integer> counts4 = new CopyOnWriteArrayList<>();
        List<Integer> counts6 = new CopyOnWriteArrayList<>();
        resources.add(tracker.watch(A, counts4::add));
        resources.add(tracker.watch(IpLiterals.parse(NetNsFixture.ADDRESS6_A), counts6::add));
        assertThat(counts4).containsExactly(2);
        assertThat(counts6).containsExactly(3);

        assertThat(v6.ask("close")).isEqualTo("CLOSED");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts6).last().isEqualTo(0));
        assertThat(counts4).containsExactly(2);

        assertThat(v4.ask("close")).isEqualTo("CLOSED");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(counts4).last().isEqualTo(0));
        assertThat(tracker.walks()).isEqualTo(2);
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

    /**
     * Has {@code server} close its connections with {@code tcp_fin_timeout} above 60 s in A: B acknowledges the
     * FIN, so the sockets no longer hold the address (docs/architecture.md, "Drain"), yet the kernel keeps them as
     * full sockets in FIN_WAIT2, orphaned (inode 0) and not destroyed (no event) for the timeout, instead of
     * swapping them for small entries (tcp_rcv_state_process: {@code tmo > TCP_TIMEWAIT_LEN}). Only a walk or a
     * lookup can tell they stopped counting. Waits until {@code observer} (or a fresh tracker) sees that.
     */
    private void orphanWithoutAnEvent(NetNsPeer server, SockDiagConnectionTracker observer, int port)
            throws IOException {
        fixture.setSysctl(fixture.a(), "net.ipv4.tcp_fin_timeout", "120");
        assertThat(server.ask("close")).isEqualTo("CLOSED");
        SockDiagConnectionTracker looking = observer != null ? observer : tracker(netnsA, NEVER, NEVER);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(looking.sockets(A))
                .filteredOn(s -> s.local().getPort() == port && !s.isListener()).isNotEmpty()
                .allSatisfy(s -> {
                    assertThat(s.inode()).isZero();
                    assertThat(s.state()).isEqualTo(TcpState.FIN_WAIT2);
                }));
    }

    private SockDiagConnectionTracker tracker(LinuxNetns netns, Duration safetyInterval) {
        SockDiagConnectionTracker tracker = new SockDiagConnectionTracker(netns, safetyInterval);
        resources.add(tracker);
        return tracker;
    }

    private SockDiagConnectionTracker tracker(LinuxNetns netns, Duration safetyInterval, Duration orphanCheckInterval) {
        SockDiagConnectionTracker tracker = new SockDiagConnectionTracker(netns, safetyInterval, orphanCheckInterval);
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
        // connect() returns once the kernel completed the handshake, before the server accepted: until then the
        // server's side has no descriptor (inode 0) and does not count. An echo on each proves it was accepted.
        assertThat(peer.ask("ping")).isEqualTo("PONG ok");
        return peer;
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
