package org.renumber.linux.sockdiag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.domain.port.SocketKiller.ClosedSockets;
import org.renumber.domain.port.SocketKiller.SocketKind;
import org.renumber.domain.port.SocketKiller;
import org.renumber.linux.LinuxNetns;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer.Stack;
import org.renumber.testing.NetNsPeer;

/**
 * {@link SockDiagSocketKiller} and {@link SockDiagSocketInventory} against real sockets: {@code TcpPeer}
 * servers in namespace A with client JVMs in namespace B holding the connections, and UDP sockets opened in A
 * on a thread inside A. The applications observe what the kernel did: pings over a destroyed connection fail,
 * a receive on a destroyed UDP socket fails, and the connection tracker counts nothing left.
 */
@KernelTest
class SockDiagSocketKillerTest {

    private static final InetAddress A = IpLiterals.parse(NetNsFixture.ADDRESS_A);
    private static final InetAddress A6 = IpLiterals.parse(NetNsFixture.ADDRESS6_A);
    /** A second address of A, whose sockets must survive. */
    private static final InetAddress OTHER = IpLiterals.parse("10.9.0.3");
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private NetNsFixture fixture;
    private LinuxNetns netnsA;
    private LinuxNetns netnsB;
    private SockDiagSocketKiller killer;
    private SockDiagSocketInventory inventory;
    private SockDiagConnectionTracker tracker;

    @BeforeEach
    void createNamespaces() {
        fixture = NetNsFixture.create("rn-test-kill-");
        fixture.ip(fixture.a(), "addr", "add", "10.9.0.3/24", "dev", NetNsFixture.IF_A);
        netnsA = LinuxNetns.open(fixture.a());
        netnsB = LinuxNetns.open(fixture.b());
        killer = new SockDiagSocketKiller(netnsA);
        inventory = new SockDiagSocketInventory(netnsA);
        tracker = new SockDiagConnectionTracker(netnsA);
    }

    @AfterEach
    void closeEverything() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        tracker.close();
        inventory.close();
        killer.close();
        netnsB.close();
        netnsA.close();
        fixture.close();
    }

    @Test
    void establishedConnectionsOfADualStackServerAreResetAndCountedAndTheListenerStays() throws Exception {
        start(fixture.a(), Stack.DUAL, "READY", "server", "::", "5000");
        NetNsPeer clients = start(fixture.b(), Stack.DUAL, "CONNECTED", "client", "any", "10.9.0.1", "5000", "3");
        NetNsPeer bystander = start(fixture.b(), Stack.DUAL, "CONNECTED", "client", "any", "10.9.0.3", "5000", "1");
        awaitAccepted(A, 3);
        awaitAccepted(OTHER, 1);

        ClosedSockets closed = killer.destroy(A, SocketKiller.AT_DEADLINE);

        assertThat(closed).isEqualTo(new ClosedSockets(3, 0, 0, 0));
        assertThat(closed.describe()).isEqualTo("3 TCP connections");
        assertThat(clients.ask("ping")).isEqualTo("PONG failed");
        assertThat(tracker.countConnections(A)).isZero();
        assertThat(bystander.ask("ping")).isEqualTo("PONG ok");
        assertThat(tracker.countConnections(OTHER)).isEqualTo(1);
        // The wildcard listener is not on the address, and new connections still work.
        assertThat(connectFromB(A, 5000)).isEqualTo("connected");
    }

    @Test
    void plainIpv4ConnectionsAreResetToo() throws Exception {
        start(fixture.a(), Stack.IPV4_ONLY, "READY", "server", "10.9.0.1", "5000");
        NetNsPeer clients = start(fixture.b(), Stack.IPV4_ONLY, "CONNECTED", "client", "any", "10.9.0.1", "5000", "2");
        awaitAccepted(A, 2);

        ClosedSockets closed = killer.destroy(A, EnumSet.of(SocketKind.TCP_CONNECTIONS));

        assertThat(closed.connections()).isEqualTo(2);
        assertThat(clients.ask("ping")).isEqualTo("PONG failed");
        assertThat(tracker.countConnections(A)).isZero();
        assertThat(inventory.tcpListeners(A)).hasSize(1);
    }

    @Test
    void ipv6ConnectionsAreResetByTheIpv6Address() throws Exception {
        start(fixture.a(), Stack.DUAL, "READY", "server", NetNsFixture.ADDRESS6_A, "6000");
        NetNsPeer clients = start(fixture.b(), Stack.DUAL, "CONNECTED", "client", "any", NetNsFixture.ADDRESS6_A,
                "6000", "2");
        awaitAccepted(A6, 2);
        assertThat(killer.destroy(A, SocketKiller.AT_DEADLINE)).isEqualTo(ClosedSockets.NONE);

        ClosedSockets closed = killer.destroy(A6, SocketKiller.AT_DEADLINE);

        assertThat(closed.connections()).isEqualTo(2);
        assertThat(clients.ask("ping")).isEqualTo("PONG failed");
        assertThat(tracker.countConnections(A6)).isZero();
    }

    @Test
    void connectionsTheApplicationAlreadyClosedAreCountedApart() throws Exception {
        NetNsPeer server = start(fixture.a(), Stack.DUAL, "READY", "server", "10.9.0.1", "5000");
        start(fixture.b(), Stack.DUAL, "CONNECTED", "client", "any", "10.9.0.1", "5000", "2");
        // The server closes once it accepted both, the clients do not: A's ends linger in FIN_WAIT2, owned by
        // no process.
        await().atMost(PATIENCE).until(() -> server.ask("count"), "COUNT 2"::equals);
        assertThat(server.ask("close")).isEqualTo("CLOSED");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(tracker.sockets(A)).filteredOn(s -> !s.isListener())
                .hasSize(2).allSatisfy(s -> assertThat(s.inode()).isZero()));

        ClosedSockets closed = killer.destroy(A, SocketKiller.AT_DEADLINE);

        assertThat(closed).isEqualTo(new ClosedSockets(0, 2, 0, 0));
        assertThat(tracker.sockets(A)).filteredOn(s -> !s.isListener()).isEmpty();
    }

    @Test
    void listenersAreReportedAndDestroyedOnlyWhenAskedFor() throws Exception {
        start(fixture.a(), Stack.DUAL, "READY", "server", "10.9.0.1", "5000");
        start(fixture.a(), Stack.DUAL, "READY", "server", "10.9.0.3", "5000");
        assertThat(inventory.tcpListeners(A)).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(TcpState.LISTEN);
            assertThat(s.local()).isEqualTo(new InetSocketAddress(A, 5000));
        });

        ClosedSockets closed = killer.destroy(A, EnumSet.of(SocketKind.TCP_LISTENERS));

        assertThat(closed).isEqualTo(new ClosedSockets(0, 0, 1, 0));
        assertThat(inventory.tcpListeners(A)).isEmpty();
        assertThat(connectFromB(A, 5000)).startsWith("refused");
        assertThat(inventory.tcpListeners(OTHER)).hasSize(1);
        assertThat(connectFromB(OTHER, 5000)).isEqualTo("connected");
    }

    @Test
    void udpSocketsOnTheAddressAreListedAndAbortedAndTheirApplicationNotices() throws Exception {
        DatagramChannel plain = udpInA(StandardProtocolFamily.INET, A, 7000);
        DatagramChannel dualStack = udpInA(StandardProtocolFamily.INET6, A, 7001); // bound to ::ffff:10.9.0.1
        DatagramChannel ipv6 = udpInA(StandardProtocolFamily.INET6, A6, 7002);
        DatagramChannel other = udpInA(StandardProtocolFamily.INET, OTHER, 7003);
        CompletableFuture<String> plainReceive = receive(plain);
        CompletableFuture<String> dualStackReceive = receive(dualStack);

        assertThat(inventory.udpSockets(A)).extracting(s -> s.local().getPort()).containsExactlyInAnyOrder(7000, 7001);
        assertThat(inventory.udpSockets(A)).allSatisfy(s -> {
            assertThat(s.protocol()).isEqualTo(SocketEntry.Protocol.UDP);
            assertThat(s.local().getAddress()).isEqualTo(A);
            assertThat(s.state()).isEqualTo(TcpState.CLOSE);
            assertThat(s.inode()).isNotZero();
        });

        ClosedSockets closed = killer.destroy(A, SocketKiller.AT_DEADLINE);

        assertThat(closed).isEqualTo(new ClosedSockets(0, 0, 0, 2));
        assertThat(closed.describe()).isEqualTo("2 UDP sockets");
        assertThat(plainReceive.get()).contains("Software caused connection abort");
        assertThat(dualStackReceive.get()).contains("Software caused connection abort");
        // Bound explicitly, they stay bound until their application closes them, as it does on that error.
        plain.close();
        dualStack.close();
        assertThat(inventory.udpSockets(A)).isEmpty();
        assertThat(inventory.udpSockets(A6)).extracting(s -> s.local().getPort()).containsExactly(7002);
        assertThat(inventory.udpSockets(OTHER)).extracting(s -> s.local().getPort()).containsExactly(7003);
        assertThat(ipv6.isOpen()).isTrue();
        assertThat(other.isOpen()).isTrue();
    }

    @Test
    void aUdpSocketOnlyConnectedFromTheAddressIsUnboundByTheKernel() throws Exception {
        // Not bound by the application: connect() picks 10.9.0.1 (the interface's primary) as its source.
        DatagramChannel connected = netnsA.call(() -> DatagramChannel.open(StandardProtocolFamily.INET)
                .connect(new InetSocketAddress(NetNsFixture.ADDRESS_B, 9)));
        resources.add(connected);
        assertThat(inventory.udpSockets(A)).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(s.remote()).isEqualTo(new InetSocketAddress(NetNsFixture.ADDRESS_B, 9));
        });

        assertThat(killer.destroy(A, SocketKiller.AT_DEADLINE)).isEqualTo(new ClosedSockets(0, 0, 0, 1));

        assertThat(inventory.udpSockets(A)).isEmpty();
        assertThat(receive(connected).get()).contains("Software caused connection abort");
    }

    @Test
    void everythingAtOnceIsCountedByKind() throws Exception {
        start(fixture.a(), Stack.DUAL, "READY", "server", "10.9.0.1", "5000");
        NetNsPeer clients = start(fixture.b(), Stack.DUAL, "CONNECTED", "client", "any", "10.9.0.1", "5000", "2");
        awaitAccepted(A, 2);
        udpInA(StandardProtocolFamily.INET, A, 7000);

        ClosedSockets closed = killer.destroy(A, EnumSet.allOf(SocketKind.class));

        assertThat(closed).isEqualTo(new ClosedSockets(2, 0, 1, 1));
        assertThat(closed.total()).isEqualTo(4);
        assertThat(closed.describe()).isEqualTo("2 TCP connections, 1 TCP listener, 1 UDP socket");
        assertThat(clients.ask("ping")).isEqualTo("PONG failed");
        assertThat(tracker.sockets(A)).isEmpty();
    }

    /**
     * Until the server accepted {@code count} connections on {@code address}: a connection the client sees as
     * established may still wait in the listener's queue, owned by no process yet (inode 0).
     */
    private void awaitAccepted(InetAddress address, int count) {
        await().atMost(PATIENCE).until(() -> tracker.countConnections(address), n -> n == count);
    }

    private NetNsPeer start(String ns, Stack stack, String expected, String... args) throws IOException {
        NetNsPeer peer = NetNsPeer.start(ns, stack, expected, args);
        resources.add(peer);
        return peer;
    }

    /** A UDP socket created on a thread inside namespace A, so it lives there. */
    private DatagramChannel udpInA(ProtocolFamily family, InetAddress address, int port) {
        DatagramChannel channel = netnsA.call(() -> DatagramChannel.open(family).bind(new InetSocketAddress(address, port)));
        resources.add(channel);
        return channel;
    }

    /** A receive blocked on {@code channel} as an application's would be; completes with what ended it. */
    private static CompletableFuture<String> receive(DatagramChannel channel) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                channel.receive(ByteBuffer.allocate(64));
                result.complete("received");
            } catch (IOException e) {
                result.complete(e.toString());
            }
        }, "udp-receiver");
        thread.setDaemon(true);
        thread.start();
        return result;
    }

    private String connectFromB(InetAddress address, int port) {
        return netnsB.call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 10_000);
                return "connected";
            } catch (ConnectException e) {
                return "refused: " + e.getMessage();
            } catch (SocketTimeoutException e) {
                return "timeout";
            }
        });
    }
}
