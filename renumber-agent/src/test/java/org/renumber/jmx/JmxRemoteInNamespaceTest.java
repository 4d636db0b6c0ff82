package org.renumber.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.api.MBeanNames;
import org.renumber.linux.LinuxNetns;
import org.renumber.security.Credentials;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/**
 * The connector for applications inside a managed namespace: its sockets are made in that namespace, so a client
 * there reaches it on the namespace's own loopback, with the same login. The client calls run on a thread inside
 * the namespace (RMI opens its connections on the calling thread).
 */
@KernelTest
class JmxRemoteInNamespaceTest {

    private final Credentials credentials = new Credentials("operator", "s3cret-" + System.nanoTime());
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final ServiceFixture fixture = new ServiceFixture();
    private NetNsFixture net;
    private LinuxNetns netns;
    private JmxAdapter adapter;
    private JmxRemoteServer remote;

    @BeforeEach
    void start() throws Exception {
        net = NetNsFixture.create("rn-test-jmxns-");
        netns = LinuxNetns.open(net.a());
        adapter = JmxAdapter.export(server, fixture.service, fixture.tracker, fixture.sockets);
        fixture.start();
        // Each namespace has its own port space, so port 0 can hand two tests the same number; this JVM's RMI
        // client keeps idle connections per host:port for 15 s and would reuse one to the previous test's
        // (unexported) registry in its deleted namespace ("no such object in table"). A random port in the fresh
        // namespace, where nothing else listens, keeps the keys apart.
        int port = ThreadLocalRandom.current().nextInt(20_000, 60_000);
        remote = JmxRemoteServer.start(server, "127.0.0.1", port, credentials, 0, factory -> {
            try {
                return netns.call(factory::open);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }, " in " + netns.describe());
    }

    @AfterEach
    void stop() throws Exception {
        if (remote != null) {
            remote.close();
        }
        adapter.close();
        fixture.close();
        netns.close();
        net.close();
    }

    @Test
    void aClientInsideTheNamespaceLogsInAndUsesTheService() {
        Object subscription = netns.call(() -> {
            try (JMXConnector client = connect(credentials.user(), credentials.password())) {
                return client.getMBeanServerConnection().invoke(MBeanNames.SERVICE, "subscribe",
                        new Object[] {"app1", "web", ""},
                        new String[] {"java.lang.String", "java.lang.String", "java.lang.String"});
            }
        });

        assertEquals("renumber:type=Subscription,id=app1", subscription);
        assertThat(fixture.service.subscribers().find("app1")).isPresent();
    }

    @Test
    void aClientInsideTheNamespaceWithoutTheLoginIsRefused() {
        SecurityException refused = assertThrows(SecurityException.class,
                () -> netns.call(() -> connect(credentials.user(), "wrong")));

        assertThat(refused).hasMessageContaining("wrong user name or password");
    }

    @Test
    void theListenerIsOnTheNamespacesLoopback() {
        int port = remote.port();

        boolean reachableInside = netns.call(() -> {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return socket.isConnected();
            }
        });

        assertThat(reachableInside).isTrue();
        // Java listens on an IPv6 socket bound to ::ffff:127.0.0.1; the thread's table is its namespace's.
        assertThat(netns.readFile(Path.of("/proc/thread-self/net/tcp6")))
                .as("a listener on 127.0.0.1:%d in %s", port, net.a())
                .containsPattern("0000000000000000FFFF00000100007F:" + String.format("%04X", port) + " \\S+ 0A");
    }

    private JMXConnector connect(String user, String password) throws Exception {
        return JMXConnectorFactory.connect(remote.url(),
                Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
    }
}
