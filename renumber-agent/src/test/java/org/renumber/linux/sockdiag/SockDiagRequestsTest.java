package org.renumber.linux.sockdiag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.renumber.linux.Hex.messages;
import static org.renumber.linux.netlink.NetlinkConstants.IPPROTO_TCP;
import static org.renumber.linux.netlink.NetlinkConstants.IPPROTO_UDP;
import static org.renumber.linux.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.linux.Hex;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;

/**
 * The requests of the socket killer and inventory against bytes captured from the kernel (Linux 6.18, x86_64)
 * with strace around {@code ss -K -tn src 10.5.0.1 sport = 5000} and {@code ss -K -uan src 10.5.0.1}, with a
 * TCP connection 10.5.0.1:5000 - 127.0.0.1:52079 and a UDP socket bound to 10.5.0.1:7000 (both AF_INET).
 */
class SockDiagRequestsTest {

    /**
     * {@code ss -uan src 10.5.0.1}, AF_INET dump, seq 123456: IPPROTO_UDP, every state (0xfff), and the same
     * one-instruction S_COND filter as for TCP.
     */
    private static final String UDP_DUMP_REQUEST = """
            5c000000 14000103 40e20100 00000000 02110000 ff0f0000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000
            14000100
            07101400 02200000 ffffffff 0a050001""";

    /** The answer: 10.5.0.1:7000 unconnected (state CLOSE), cookie 3789, inode 1404354. */
    private static final String UDP_SOCKET = """
            7c000000 14000200 40e20100 675f0000 02070000 1b580000 0a050001 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 cd0e0000
            00000000 00000000 00000000 00000000 00000000 c26d1500 05000800 00000000
            08000f00 00000000 0c001500 01000000 00000000 06001600 50000000""";

    /**
     * What {@code ss -K} sent for that socket (seq 1795813913): SOCK_DESTROY, REQUEST|ACK, the socket's family,
     * IPPROTO_UDP, no states, and the id exactly as the dump reported it, cookie included.
     */
    private static final String UDP_DESTROY_REQUEST = """
            48000000 15000500 19f2096b 00000000 02110000 00000000 1b580000 0a050001
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            cd0e0000 00000000""";

    /** The TCP connection's SOCK_DESTROY (seq 1795813913): sport 5000, dport 52079, cookie 3773. */
    private static final String TCP_DESTROY_REQUEST = """
            48000000 15000500 19f2096b 00000000 02060000 00000000 1388cb6f 0a050001
            00000000 00000000 00000000 7f000001 00000000 00000000 00000000 00000000
            bd0e0000 00000000""";

    private static final int SEQ = 1795813913;

    @BeforeAll
    static void capturesAreLittleEndian() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "the captured bytes are from x86_64 (little-endian)");
    }

    @Test
    void udpDumpIsWhatSsUanSrcSends() {
        NetlinkRequest request = SockDiagRequests.dump(LibC.AF_INET, IPPROTO_UDP, SockDiagRequests.ALL_STATES,
                IpLiterals.parse("10.5.0.1"));

        assertThat(Hex.of(request.toBytes(123456))).isEqualTo(Hex.of(Hex.bytes(UDP_DUMP_REQUEST)));
    }

    @Test
    void udpSocketBecomesASocketEntryInStateClose() {
        NetlinkMessage message = messages(UDP_SOCKET).get(0);

        assertThat(message.type()).isEqualTo(SOCK_DIAG_BY_FAMILY);
        assertThat(SockDiagSockets.entry(IPPROTO_UDP, StructInetDiagMsg.parse(message.body())))
                .isEqualTo(new SocketEntry(SocketEntry.Protocol.UDP,
                        new InetSocketAddress(IpLiterals.parse("10.5.0.1"), 7000),
                        new InetSocketAddress(IpLiterals.parse("0.0.0.0"), 0), TcpState.CLOSE, 1404354));
    }

    @Test
    void destroyNamesTheSocketTheDumpReportedAsSsKDoes() {
        StructInetDiagMsg socket = StructInetDiagMsg.parse(messages(UDP_SOCKET).get(0).body());

        NetlinkRequest request = SockDiagRequests.destroy(IPPROTO_UDP, socket);

        assertThat(Hex.of(request.toBytes(SEQ))).isEqualTo(Hex.of(Hex.bytes(UDP_DESTROY_REQUEST)));
    }

    @Test
    void tcpDestroyCarriesPortsInNetworkOrderAndTheCookie() {
        StructInetDiagSockId id = new StructInetDiagSockId(5000, 52079, new byte[] {10, 5, 0, 1},
                new byte[] {127, 0, 0, 1}, 0, 3773);
        StructInetDiagMsg socket = new StructInetDiagMsg(LibC.AF_INET, TcpState.ESTABLISHED.kernelValue(), 0, 0, id,
                0, 0, 0, 0, 1234);

        NetlinkRequest request = SockDiagRequests.destroy(IPPROTO_TCP, socket);

        assertThat(Hex.of(request.toBytes(SEQ))).isEqualTo(Hex.of(Hex.bytes(TCP_DESTROY_REQUEST)));
    }

    @Test
    void stateMasksSelectConnectionsOrListenersNeverTimeWait() {
        assertThat(SockDiagRequests.TCP_CONNECTION_STATES).isEqualTo(0xb3e);
        assertThat(SockDiagRequests.TCP_CONNECTION_STATES & (1 << TcpState.TIME_WAIT.kernelValue())).isZero();
        assertThat(SockDiagRequests.TCP_CONNECTION_STATES & (1 << TcpState.LISTEN.kernelValue())).isZero();
        assertThat(SockDiagRequests.TCP_LISTEN_STATES).isEqualTo(1 << 10);
    }
}
