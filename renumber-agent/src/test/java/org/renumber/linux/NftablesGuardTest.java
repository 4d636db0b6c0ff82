package org.renumber.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.GuardUnavailableException;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.port.InboundGuard;
import org.renumber.domain.port.InboundGuard.Guard;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.NetNsPeer.Stack;

/**
 * {@link NftablesGuard} in a real namespace: a {@code TcpPeer} server in namespace A listening on every address
 * (dual stack), an established client connection from namespace B, and connection attempts from B made on a
 * thread inside B. What a user observes is asserted: refused or accepted connections, pings over the existing
 * connection, and {@code nft -j list ruleset} in the namespace.
 */
@KernelTest
class NftablesGuardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InetAddress A = IpLiterals.parse(NetNsFixture.ADDRESS_A);
    private static final InetAddress A6 = IpLiterals.parse(NetNsFixture.ADDRESS6_A);
    /** A second address of A, never guarded. */
    private static final InetAddress OTHER = IpLiterals.parse("10.9.0.3");
    private static final int PORT = 5000;
    /** Long enough that a refused connection is never mistaken for a slow one: a timeout is reported as such. */
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private NetNsFixture fixture;
    private LinuxNetns netnsA;
    private LinuxNetns netnsB;
    private NftablesGuard guard;

    @BeforeEach
    void createNamespaces() {
        fixture = NetNsFixture.create("rn-test-guard-");
        fixture.ip(fixture.a(), "addr", "add", "10.9.0.3/24", "dev", NetNsFixture.IF_A);
        netnsA = LinuxNetns.open(fixture.a());
        netnsB = LinuxNetns.open(fixture.b());
        guard = new NftablesGuard(netnsA);
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
        netnsB.close();
        netnsA.close();
        fixture.close();
    }

    @Test
    void aNewConnectionToAGuardedAddressIsRefusedAtOnceWhileAnEstablishedOneKeepsCarryingData() throws Exception {
        serverInA();
        NetNsPeer client = clientInB("10.9.0.1");
        assertThat(connectFromB(A)).isEqualTo("connected");

        guard.guard(A);

        assertThat(connectFromB(A)).startsWith("refused");
        assertThat(client.ask("ping")).isEqualTo("PONG ok");
        assertThat(connectFromB(OTHER)).as("another address of the same server").isEqualTo("connected");
        assertThat(guard.activeGuards()).singleElement().satisfies(g -> {
            assertThat(g.address()).isEqualTo(A);
            assertThat(g.refusedAttempts()).isEqualTo(1);
        });
    }

    @Test
    void anIpv6AddressIsGuardedWithAnIp6Rule() throws Exception {
        serverInA();
        NetNsPeer client = clientInB(NetNsFixture.ADDRESS6_A);

        guard.guard(A6);

        assertThat(connectFromB(A6)).startsWith("refused");
        assertThat(connectFromB(A)).isEqualTo("connected");
        assertThat(client.ask("ping")).isEqualTo("PONG ok");
        assertThat(guardRules(fixture.a())).singleElement().satisfies(rule -> {
            assertThat(rule.path("comment").asText()).isEqualTo("renumber guard 2001:db8:9::1");
            assertThat(rule.toString()).contains("\"protocol\":\"ip6\"", "\"right\":\"2001:db8:9::1\"");
        });
    }

    @Test
    void afterReleaseNoRuleRemainsAndTheTableGoesWithTheLastOne() throws Exception {
        serverInA();
        guard.guard(A);
        guard.guard(A6);
        assertThat(guardRules(fixture.a())).hasSize(2);

        assertThat(guard.release(A)).isTrue();

        assertThat(connectFromB(A)).isEqualTo("connected");
        assertThat(connectFromB(A6)).startsWith("refused");
        assertThat(guardRules(fixture.a())).extracting(rule -> rule.path("comment").asText())
                .containsExactly("renumber guard 2001:db8:9::1");

        assertThat(guard.release(A6)).isTrue();

        assertThat(connectFromB(A6)).isEqualTo("connected");
        assertThat(ruleset(fixture.a())).noneMatch(item -> item.has("table") || item.has("chain") || item.has("rule"));
        assertThat(guard.activeGuards()).isEmpty();
    }

    @Test
    void guardingAndReleasingTwiceChangeNothingTheSecondTime() {
        guard.guard(A);
        guard.guard(A);

        assertThat(guardRules(fixture.a())).hasSize(1);
        assertThat(guard.release(A)).isTrue();
        assertThat(guard.release(A)).isFalse();
        assertThat(guard.release(OTHER)).isFalse();
    }

    @Test
    void aRestartedAgentFindsTheRulesOfItsPredecessorAndReleasesTheLeakedOnes() {
        guard.guard(A);
        guard.guard(A6);
        guard.guard(OTHER);

        // The agent restarts: a new guard object knows nothing but what the kernel holds.
        NftablesGuard restarted = new NftablesGuard(netnsA);
        assertThat(restarted.activeGuards()).extracting(Guard::address).containsExactly(A, A6, OTHER);

        assertThat(restarted.releaseAllExcept(Set.of(A6))).containsExactlyInAnyOrder(A, OTHER);

        assertThat(guardRules(fixture.a())).extracting(rule -> rule.path("comment").asText())
                .containsExactly("renumber guard 2001:db8:9::1");
        assertThat(restarted.releaseAllExcept(Set.of())).containsExactly(A6);
        assertThat(ruleset(fixture.a())).noneMatch(item -> item.has("table"));
    }

    @Test
    void theRulesLiveInTheManagedNamespaceOnly() {
        guard.guard(A);

        assertThat(guardRules(fixture.a())).hasSize(1);
        assertThat(ruleset(fixture.b())).noneMatch(item -> item.has("table"));
    }

    @Test
    void aRuleAnOperatorAddedToTheTableKeepsTheTableWhenTheLastGuardGoes() {
        guard.guard(A);
        fixture.exec(fixture.a(), "nft", "add", "rule", "inet", "renumber", "guard", "tcp", "dport", "9", "drop");

        assertThat(guard.activeGuards()).extracting(Guard::address).containsExactly(A);
        assertThat(guard.release(A)).isTrue();

        assertThat(guardRules(fixture.a())).singleElement()
                .satisfies(rule -> assertThat(rule.has("comment")).isFalse());
    }

    @Test
    void withoutNftEnablingTheGuardFailsWithAClearErrorInsteadOfDoingNothing() {
        for (InboundGuard missing : List.of(new NftablesGuard(netnsA, "/nonexistent/sbin/nft"),
                new NftablesGuard(netnsA, "nft-not-installed-here"))) {
            assertThat(missing.available()).isFalse();
            assertThat(missing.unavailableReason()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("needs nftables", "install the nftables package"));
            assertThatThrownBy(missing::requireAvailable).isInstanceOf(GuardUnavailableException.class);
            assertThatThrownBy(() -> missing.guard(A)).isInstanceOf(GuardUnavailableException.class)
                    .hasMessageContaining("nftables");
            assertThatThrownBy(missing::activeGuards).isInstanceOf(GuardUnavailableException.class);
        }
        assertThat(guard.unavailableReason()).isEmpty();
        assertThat(ruleset(fixture.a())).noneMatch(item -> item.has("table"));
    }

    /** One connection attempt from a thread inside namespace B: "connected", "refused: ..." or "timeout". */
    private String connectFromB(InetAddress address) {
        return netnsB.call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, PORT), CONNECT_TIMEOUT_MILLIS);
                return "connected";
            } catch (ConnectException e) {
                return "refused: " + e.getMessage();
            } catch (SocketTimeoutException e) {
                return "timeout";
            }
        });
    }

    private void serverInA() throws IOException {
        resources.add(NetNsPeer.start(fixture.a(), Stack.DUAL, "READY", "server", "::", String.valueOf(PORT)));
    }

    private NetNsPeer clientInB(String address) throws IOException {
        NetNsPeer peer = NetNsPeer.start(fixture.b(), Stack.DUAL, "CONNECTED", "client", "any", address,
                String.valueOf(PORT), "1");
        resources.add(peer);
        return peer;
    }

    /** {@code nft -j list ruleset} in {@code ns}: its items without the metainfo. */
    private List<JsonNode> ruleset(String ns) {
        try {
            List<JsonNode> items = new ArrayList<>();
            for (JsonNode item : JSON.readTree(fixture.exec(ns, "nft", "-j", "list", "ruleset")).path("nftables")) {
                if (!item.has("metainfo")) {
                    items.add(item);
                }
            }
            return items;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<JsonNode> guardRules(String ns) {
        return ruleset(ns).stream().map(item -> item.path("rule"))
                .filter(rule -> rule.isObject() && "renumber".equals(rule.path("table").asText())).toList();
    }
}
