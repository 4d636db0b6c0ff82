package org.renumber.linux.sockdiag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_SOCK_DIAG;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.Captures;
import org.renumber.linux.LibC;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.NetlinkSocket;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/**
 * Takes the sock_diag replies {@link CapturedInetDiagRepliesTest} parses from the running kernel again: in
 * namespace A of a {@link NetNsFixture}, a Java listener on 10.9.0.1 (dual-stack, so its sockets are IPv4-mapped
 * AF_INET6 ones) and one connection to it from 10.9.0.1, listed with the two walks the agent sends
 * ({@link TcpSocketTable}); checks that they still read as the checked-in ones, or, with
 * {@code -Dnetlink.capture=write}, writes them anew.
 */
@KernelTest
class SockDiagCapturesTest {

    static final InetAddress LOCAL = IpLiterals.parse("10.9.0.1");

    private NetNsFixture fixture;
    private LinuxNetns netns;
    private NetlinkSocket socket;
    private ServerSocket listener;
    private Socket client;
    private Socket accepted;

    @BeforeEach
    void connect() throws IOException {
        fixture = NetNsFixture.create();
        netns = LinuxNetns.open(fixture.a());
        socket = NetlinkSocket.openIn(netns, NETLINK_SOCK_DIAG);
        listener = netns.call(() -> new ServerSocket(0, 1, LOCAL)); // created on A's thread, so in A
        client = netns.call(() -> {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(LOCAL, 0));
            s.connect(new InetSocketAddress(LOCAL, listener.getLocalPort()), 10_000);
            return s;
        });
        accepted = listener.accept();
    }

    @AfterEach
    void close() throws IOException {
        try (NetNsFixture f = fixture; LinuxNetns n = netns; NetlinkSocket s = socket; ServerSocket l = listener;
             Socket c = client; Socket a = accepted) {
            // closed in reverse order, each even if another fails
        }
    }

    @Test
    void todaysKernelAnswersAsTheCapturesSay() {
        List<byte[]> byFamily = capture(TcpSocketTable.dumpRequest(LibC.AF_INET6, TcpSocketTable.STATES, LOCAL));
        List<byte[]> legacy = capture(TcpSocketTable.singleWalkRequest(TcpSocketTable.STATES, LOCAL));
        if (Captures.writing()) {
            String how = "; a dual-stack Java listener on 10.9.0.1 and one connection to it from 10.9.0.1 (IPv4-mapped "
                    + "AF_INET6 sockets); captured by SockDiagCapturesTest (-Dnetlink.capture=write) on Linux "
                    + System.getProperty("os.version") + ", " + System.getProperty("os.arch");
            Captures.write("inet_diag_by_family", "SOCK_DIAG_BY_FAMILY answers to TcpSocketTable.dumpRequest(AF_INET6, "
                    + "STATES, 10.9.0.1)" + how, byFamily);
            Captures.write("inet_diag_tcpdiag_getsock", "TCPDIAG_GETSOCK answers to TcpSocketTable.singleWalkRequest("
                    + "STATES, 10.9.0.1), the one-walk legacy dump" + how, legacy);
            return; // the class path still has the old files: compare on the next run
        }
        assertThat(CapturedInetDiagRepliesTest.view(Captures.parse(byFamily)))
                .isEqualTo(CapturedInetDiagRepliesTest.view(Captures.read("inet_diag_by_family")));
        assertThat(CapturedInetDiagRepliesTest.view(Captures.parse(legacy)))
                .isEqualTo(CapturedInetDiagRepliesTest.view(Captures.read("inet_diag_tcpdiag_getsock")));
    }

    private List<byte[]> capture(NetlinkRequest request) {
        return socket.transact("capture in " + netns.describe(), request,
                m -> DiagSocket.parse(m) == null ? null : Captures.raw(m));
    }
}
