package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.LinuxNetns;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.KernelSnapshot;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * A client on the agent's own node connecting to the new address leaves from it once the change has STARTED, for
 * a new address in the old one's subnet (a secondary, whose local route the kernel gives the old primary as
 * source) and in another subnet; a cancel leaves the kernel byte-identical to before (docs/architecture.md).
 */
@Tag("kernel")
@KernelTest
class LocalRouteSourceEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = "10.9.0.1";

    private AgentFixture fixture;
    private LinuxNetns netns;
    private RemoteJmx jmx;
    private RemoteJmx.Recorder app;
    private NetNsPeer client;

    private void setUp() throws Exception {
        fixture = new AgentFixture("rn-it-lsrc-");
        netns = fixture.keep(LinuxNetns.open(fixture.net.a()));
        jmx = fixture.keep(fixture.jmx());
        jmx.invoke(SERVICE, "subscribe", "app", "", "v0");
        app = jmx.listen("renumber:type=Subscription,id=app");
        // A connection on the old address keeps the change draining while the test looks.
        fixture.keep(NetNsPeer.start(fixture.net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, "7000"));
        client = fixture.keep(NetNsPeer.start(fixture.net.a(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any",
                OLD, "7000", "1"));
        await().atMost(Duration.ofSeconds(60))
                .until(() -> (Integer) jmx.invoke("renumber:type=ConnectionTracker", "countConnections", OLD) >= 1);
    }

    @AfterEach
    void stopEverything() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"10.9.0.7", "10.9.1.1"})
    void aNodeLocalClientOfTheNewAddressLeavesFromItOnceStartedAndAfterTheRemoval(String added) throws Exception {
        setUp();
        InetAddress address = IpLiterals.parse(added);
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, added + "/24", "", 60L);
        await().atMost(Duration.ofSeconds(60)).until(() -> app.types().contains("renumber.change.started"));
        assertThat(sourceOfAConnectionTo(address)).isEqualTo(address);
        assertThat(localRoute(added)).singleElement().asString().contains("src " + added);

        client.close();
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertThat(fixture.net.ip(fixture.net.a(), "-4", "route", "show", "table", "all"))
                .as("no route names the old address").doesNotContain(OLD + " ");
        assertThat(localRoute(added)).singleElement().asString().contains("src " + added);
        assertThat(sourceOfAConnectionTo(address)).isEqualTo(address);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"10.9.0.7", "10.9.1.1"})
    void aCancelLeavesTheKernelAsItWas(String added) throws Exception {
        setUp();
        String before = KernelSnapshot.of(fixture.net, fixture.net.a());
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, added + "/24", "", 60L);
        await().atMost(Duration.ofSeconds(60)).until(() -> app.types().contains("renumber.change.started"));
        assertThat(sourceOfAConnectionTo(IpLiterals.parse(added))).isEqualTo(IpLiterals.parse(added));

        jmx.invoke(SERVICE, "cancelChange", id);
        assertEquals("CANCELLED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertThat(KernelSnapshot.of(fixture.net, fixture.net.a())).isEqualTo(before);
    }

    /** The kernel leaves a steered local route behind with its address: the rollback deletes it. */
    @Test
    void aNewAddressDeletedByHandLeavesNoRouteBehind() throws Exception {
        setUp();
        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, "10.9.0.7/24", "", 60L);
        await().atMost(Duration.ofSeconds(60)).until(() -> app.types().contains("renumber.change.started"));
        fixture.net.ip(fixture.net.a(), "addr", "del", "10.9.0.7/24", "dev", "v0");
        assertThat(localRoute("10.9.0.7")).as("the kernel's trap").singleElement().asString().contains("src 10.9.0.7");

        client.close();
        assertEquals("FAILED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertThat(fixture.net.ip(fixture.net.a(), "-4", "route", "show", "table", "all")).doesNotContain("10.9.0.7");
    }

    private List<String> localRoute(String address) {
        return fixture.net.ip(fixture.net.a(), "-4", "route", "show", "table", "local", address).lines().toList();
    }

    /** A real TCP connection from the agent's namespace to {@code address}: the source the kernel chose for it. */
    private InetAddress sourceOfAConnectionTo(InetAddress address) {
        return netns.call(() -> {
            try (ServerSocket listener = new ServerSocket(0, 1, address); Socket socket = new Socket()) {
                socket.connect(listener.getLocalSocketAddress(), 10_000);
                try (Socket accepted = listener.accept()) {
                    return socket.getLocalAddress();
                }
            }
        });
    }
}
