package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import javax.management.Attribute;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.linux.LinuxNetns;
import org.renumber.testing.AgentFixture;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsPeer;
import org.renumber.testing.RemoteJmx;

/**
 * The inbound guard and deadline enforcement through the agent, on the real kernel: what an application and
 * a client on the link observe.
 */
@KernelTest
class SafeguardsEndToEndTest {

    private static final String SERVICE = "renumber:type=AddressChangeService";
    private static final String OLD = "10.9.0.1";
    private static final int PORT = 7000;

    private AgentFixture fixture;
    private LinuxNetns peerNamespace;

    @BeforeEach
    void startAgent() {
        fixture = new AgentFixture("rn-it-guard-");
        peerNamespace = LinuxNetns.open(fixture.net.b());
    }

    @AfterEach
    void stopEverything() throws Exception {
        peerNamespace.close();
        fixture.close();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        return fixture.keep(resource);
    }

    private NetNsPeer serverWithClients(int count) throws Exception {
        keep(NetNsPeer.start(fixture.net.a(), NetNsPeer.Stack.DUAL, "READY", "server", OLD, String.valueOf(PORT)));
        return keep(NetNsPeer.start(fixture.net.b(), NetNsPeer.Stack.DUAL, "CONNECTED", "client", "any", OLD,
                String.valueOf(PORT), String.valueOf(count)));
    }

    /** A new connection attempt from the link: "connected", "refused" or "timeout". */
    private String connectFromLink(String address) {
        return peerNamespace.call(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getByName(address), PORT), 5000);
                return "connected";
            } catch (ConnectException e) {
                return "refused";
            } catch (SocketTimeoutException e) {
                return "timeout";
            }
        });
    }

    private String nftRuleset() {
        return fixture.net.exec(fixture.net.a(), "nft", "-j", "list", "ruleset");
    }

    @Test
    void guardRefusesNewConnectionsToTheOldAddressWhileEstablishedOnesKeepFlowing() throws Exception {
        RemoteJmx jmx = keep(fixture.jmx());
        jmx.connection().setAttribute(new ObjectName(SERVICE), new Attribute("GuardNewConnections", true));
        NetNsPeer clients = serverWithClients(1);
        assertEquals("connected", connectFromLink(OLD), "before the change, the old address accepts");
        await().until(() -> (Integer) jmx.invoke("renumber:type=ConnectionTracker", "countConnections", OLD) == 1);

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, "10.9.1.1/24", "", 60L);
        String change = "renumber:type=AddressChange,id=" + id;
        await().until(() -> "DRAINING".equals(jmx.get(change, "State")));

        assertEquals(true, jmx.get(change, "GuardApplied"));
        assertEquals("refused", connectFromLink(OLD), "new connections to the old address are reset");
        assertEquals("PONG ok", clients.ask("ping"), "the established connection still carries data");
        assertThat(nftRuleset()).contains("renumber");

        clients.ask("close");
        assertEquals("COMPLETED", jmx.invoke(SERVICE, "awaitChange", id, 60L));
        assertEquals(false, jmx.get(change, "GuardApplied"));
        assertThat(nftRuleset()).doesNotContain("renumber");
    }

    @Test
    void forceCloseAtTheDeadlineResetsWhatIsLeftAndReportsHowMany() throws Exception {
        RemoteJmx jmx = keep(fixture.jmx());
        jmx.connection().setAttribute(new ObjectName(SERVICE), new Attribute("ForceCloseAtDeadline", true));
        NetNsPeer clients = serverWithClients(2);
        await().until(() -> (Integer) jmx.invoke("renumber:type=ConnectionTracker", "countConnections", OLD) == 2);

        String id = (String) jmx.invoke(SERVICE, "changeAddress", "v0", OLD, "10.9.1.1/24", "", 2L);
        assertEquals("TIMED_OUT", jmx.invoke(SERVICE, "awaitChange", id, 60L));

        String change = "renumber:type=AddressChange,id=" + id;
        assertThat((String) jmx.get(change, "ForceClosed")).contains("2 TCP connections");
        assertThat((String) jmx.get(change, "Error")).contains("force-closed");
        assertEquals("PONG failed", clients.ask("ping"), "the application observes the reset");
    }

    @Test
    void settingsSurviveAnAgentRestart() throws Exception {
        try (RemoteJmx jmx = fixture.jmx()) {
            jmx.connection().setAttribute(new ObjectName(SERVICE), new Attribute("GuardNewConnections", true));
            jmx.connection().setAttribute(new ObjectName(SERVICE), new Attribute("ForceCloseAtDeadline", true));
        }
        fixture.stop();
        fixture.start();
        try (RemoteJmx jmx = fixture.jmx()) {
            assertEquals(true, jmx.get(SERVICE, "GuardNewConnections"));
            assertEquals(true, jmx.get(SERVICE, "ForceCloseAtDeadline"));
        }
    }
}
