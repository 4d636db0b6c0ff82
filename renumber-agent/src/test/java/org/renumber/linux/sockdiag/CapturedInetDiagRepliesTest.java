package org.renumber.linux.sockdiag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.renumber.linux.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;
import static org.renumber.linux.netlink.NetlinkConstants.TCPDIAG_GETSOCK;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.linux.Captures;
import org.renumber.linux.Hex;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.StructNlAttr;

/**
 * The inet_diag codecs against sock_diag replies captured from the kernel ({@code src/test/resources/netlink/
 * inet_diag_*.hex}, taken by {@link SockDiagCapturesTest}): a listener and both ends of one connection on
 * 10.9.0.1, as IPv4-mapped AF_INET6 sockets. Each parses, packs back to the kernel's bytes, and the lookup the
 * tracker sends for a socket names exactly that socket. No root needed.
 */
class CapturedInetDiagRepliesTest {

    @Test
    void bothWalksFindTheListenerAndBothEndsOfTheConnection() {
        List<NetlinkMessage> byFamily = Captures.read("inet_diag_by_family");
        List<NetlinkMessage> legacy = Captures.read("inet_diag_tcpdiag_getsock");
        assertThat(byFamily).allSatisfy(m -> assertThat(m.type()).isEqualTo(SOCK_DIAG_BY_FAMILY));
        assertThat(legacy).allSatisfy(m -> assertThat(m.type()).isEqualTo(TCPDIAG_GETSOCK));
        assertThat(view(byFamily)).containsExactlyInAnyOrder(
                "LISTEN 10.9.0.1 owned listener-port-local",
                "ESTABLISHED 10.9.0.1 owned listener-port-local",
                "ESTABLISHED 10.9.0.1 owned listener-port-remote");
        assertThat(view(legacy)).isEqualTo(view(byFamily));
        assertThat(entries(legacy)).containsExactlyInAnyOrderElementsOf(entries(byFamily));
    }

    @Test
    void everySocketIsAnIpv4MappedLiveConnectionOrTheListener() {
        for (NetlinkMessage message : Captures.read("inet_diag_by_family")) {
            DiagSocket socket = DiagSocket.parse(message);
            assertThat(socket.family()).isEqualTo(LibC.AF_INET6);
            assertThat(socket.entry().local().getAddress()).isEqualTo(SockDiagCapturesTest.LOCAL);
            assertThat(socket.isLiveConnection()).isEqualTo(TcpState.ofKernel(socket.state()) != TcpState.LISTEN);
        }
    }

    @Test
    void eachSocketPacksBackToTheKernelsBytes() {
        for (String capture : List.of("inet_diag_by_family", "inet_diag_tcpdiag_getsock")) {
            for (NetlinkMessage message : Captures.read(capture)) {
                ByteBuffer body = message.body();
                byte[] original = new byte[body.remaining()];
                body.duplicate().get(original);
                StructInetDiagMsg socket = StructInetDiagMsg.parse(body);
                List<StructNlAttr> attributes = StructNlAttr.parseAll(body);
                assertThat(attributes).as("the kernel's attributes after inet_diag_msg").isNotEmpty();
                ByteBuffer packed = ByteBuffer.allocate(original.length + 64).order(ByteOrder.nativeOrder());
                socket.pack(packed);
                attributes.forEach(attribute -> attribute.pack(packed));
                assertThat(Arrays.copyOf(packed.array(), packed.position())).isEqualTo(original);
            }
        }
    }

    @Test
    void theLookupOfASocketNamesItsFourTupleAndCookie() {
        for (NetlinkMessage message : Captures.read("inet_diag_by_family")) {
            DiagSocket socket = DiagSocket.parse(message);
            NetlinkMessage lookup = Hex.messages(Hex.of(TcpSocketTable.lookupRequest(socket.family(), socket.id())
                    .toBytes(1))).get(0);
            StructInetDiagReqV2 request = StructInetDiagReqV2.parse(lookup.body());
            assertThat(request.family()).isEqualTo(socket.family());
            assertThat(request.id()).isEqualTo(socket.id());
            assertThat(request.id().cookie()).isEqualTo(socket.cookie());
        }
    }

    /** What does not change from capture to capture: states, local address, ownership, which end the listener is. */
    static List<String> view(List<NetlinkMessage> messages) {
        List<DiagSocket> sockets = messages.stream().map(DiagSocket::parse).filter(Objects::nonNull).toList();
        int listenerPort = sockets.stream().filter(s -> TcpState.ofKernel(s.state()) == TcpState.LISTEN)
                .mapToInt(s -> s.id().sourcePort()).findFirst().orElse(-1);
        return sockets.stream().map(s -> {
            SocketEntry entry = s.entry();
            String end = entry.local().getPort() == listenerPort ? "local"
                    : entry.remote().getPort() == listenerPort ? "remote" : "none";
            return entry.state() + " " + entry.local().getAddress().getHostAddress()
                    + (entry.inode() != 0 ? " owned" : " orphan") + " listener-port-" + end;
        }).sorted().toList();
    }

    private static List<SocketEntry> entries(List<NetlinkMessage> messages) {
        return messages.stream().map(DiagSocket::parse).map(DiagSocket::entry).toList();
    }
}
