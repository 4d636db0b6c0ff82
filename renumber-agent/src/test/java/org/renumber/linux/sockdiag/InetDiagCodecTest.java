package org.renumber.linux.sockdiag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.renumber.linux.Hex.messages;
import static org.renumber.linux.Hex.packed;
import static org.renumber.linux.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.linux.Errno;
import org.renumber.linux.Hex;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkConstants;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.StructNlMsgErr;
import org.renumber.linux.netlink.StructNlMsgHdr;

/**
 * sock_diag encoders and decoders against bytes captured from the kernel (Linux 6.18, x86_64) with strace
 * around {@code ss -tn src 10.9.0.1} and {@code ss -tE}, with a server on 10.9.0.1:5000 (AF_INET socket) and
 * one on ::ffff:10.9.0.1:5001 (dual-stack AF_INET6 socket), each with one client from 10.9.0.2.
 */
class InetDiagCodecTest {

    /**
     * {@code ss -tn src 10.9.0.1}, first of its two dumps (AF_INET; states: ss's "connected" set 0xb37),
     * seq 123456: nlmsghdr, inet_diag_req_v2, then the INET_DIAG_REQ_BYTECODE attribute with one S_COND.
     */
    private static final String SS_DUMP_REQUEST = """
            5c000000 14000103 40e20100 00000000 02060000 370b0000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000
            14000100
            07101400 02200000 ffffffff 0a090001""";

    /** Answer of the AF_INET dump: 10.9.0.1:5000 - 10.9.0.2:46386 ESTABLISHED, cookie 32, inode 9084. */
    private static final String IPV4_SOCKET = """
            7c000000 14000200 40e20100 6e150000 02010000 1388b532 0a090001 00000000
            00000000 00000000 0a090002 00000000 00000000 00000000 00000000 20000000
            00000000 00000000 00000000 00000000 00000000 7c230000 05000800 00000000
            08000f00 00000000 0c001500 01000000 00000000 06001600 52000000""";

    /**
     * Answer of the AF_INET6 dump to the same AF_INET condition: the dual-stack socket
     * [::ffff:10.9.0.1]:5001 - [::ffff:10.9.0.2]:38018, inode 9552.
     */
    private static final String MAPPED_SOCKET = """
            7c000000 14000200 40e20100 6e150000 0a010000 13899482 00000000 00000000
            0000ffff 0a090001 00000000 00000000 0000ffff 0a090002 00000000 22000000
            00000000 00000000 00000000 00000000 00000000 50250000 05000800 00000000
            08000f00 00000000 0c001500 01000000 00000000 06001600 12000000""";

    /**
     * A destroy event (group SKNLGRP_INET_TCP_DESTROY) when the AF_INET connection was freed: state CLOSE,
     * inode 0, with the extensions the kernel adds to events.
     */
    private static final String DESTROY_EVENT = """
            7c010000 14000000 00000000 00000000 02070000 1388b532 0a090001 00000000
            00000000 00000000 0a090002 00000000 00000000 00000000 00000000 20000000
            00000000 00000000 01000000 00000000 00000000 00000000 05000a00 06000000
            1c010200 07000000 0007aa01 e01c0300 409c0000 a8050000 18020000 00000000
            00000000 00000000 00000000 00000000 0c1b0000 00000000 0c1b0000 00000000
            dc050000 58fa0000 17000000 0d000000 ffffff7f 0b000000 a8050000 03000000
            00000000 90380000 00000000 a24e7475 00000000 ffffffff ffffffff 01000000
            00000000 01000000 00000000 02000000 04000000 00000000 15000000 00000000
            00000000 9e100e02 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 02000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00fc0000 00000100 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000""";

    /**
     * The one-walk dump: legacy TCPDIAG_GETSOCK with {@code struct inet_diag_req} (60 bytes: family, src_len,
     * dst_len, ext, sockid at 4, states at 52, dbs at 56, as {@code offsetof} on linux-libc-dev's header says),
     * the tracker's state mask 0xfbe and the same S_COND filter, seq 777, as sent to Linux 6.18, which answered
     * with {@link #LEGACY_ANSWER}.
     */
    private static final String LEGACY_DUMP_REQUEST = """
            60000000 12000103 09030000 00000000 00000000 00000000 00000000 00000000
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00000000 be0f0000 00000000
            14000100
            07101400 02200000 ffffffff 0a090001""";

    /**
     * The kernel's answer to {@link #LEGACY_DUMP_REQUEST} (message type TCPDIAG_GETSOCK, not
     * SOCK_DIAG_BY_FAMILY): the dual-stack socket [::ffff:10.9.0.1]:5001 - [::ffff:10.9.0.2]:32913
     * ESTABLISHED, cookie 0xe93, inode 0x15339e, found by the AF_INET condition in the same walk as the AF_INET
     * sockets.
     */
    private static final String LEGACY_ANSWER = """
            7c000000 12000200 09030000 db570000 0a010000 13898091 00000000 00000000
            0000ffff 0a090001 00000000 00000000 0000ffff 0a090002 00000000 930e0000
            00000000 00000000 00000000 00000000 00000000 9e331500 05000800 00000000
            08000f00 00000000 0c001500 01000000 00000000 06001600 12000000""";

    /** Looking that socket up by its exact id (SOCK_DIAG_BY_FAMILY, REQUEST|ACK, no dump), seq 778. */
    private static final String LOOKUP_REQUEST = """
            48000000 14000500 0a030000 00000000 0a060000 be0f0000 13898091 00000000
            00000000 0000ffff 0a090001 00000000 00000000 0000ffff 0a090002 00000000
            930e0000 00000000""";

    /** The answer while it lives: the socket (type SOCK_DIAG_BY_FAMILY), then the acknowledgement. */
    private static final String LOOKUP_FOUND = """
            7c000000 14000000 0a030000 db570000 0a010000 13898091 00000000 00000000
            0000ffff 0a090001 00000000 00000000 0000ffff 0a090002 00000000 930e0000
            00000000 00000000 00000000 00000000 00000000 9e331500 05000800 00000000
            08000f00 00000000 0c001500 01000000 00000000 06001600 12000000
            24000000 02000001 0a030000 db570000 00000000 48000000 14000500 0a030000
            00000000""";

    /** The answer (seq 779) once both ends closed and the kernel freed it: ENOENT (-2), the request echoed. */
    private static final String LOOKUP_GONE = """
            5c000000 02000000 0b030000 db570000 feffffff 48000000 14000500 0b030000
            00000000 0a060000 be0f0000 13898091 00000000 00000000 0000ffff 0a090001
            00000000 00000000 0000ffff 0a090002 00000000 930e0000 00000000""";

    @BeforeAll
    static void capturesAreLittleEndian() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "the captured bytes are from x86_64 (little-endian)");
    }

    @Test
    void dumpRequestIsWhatSsSrcSends() {
        NetlinkRequest request = TcpSocketTable.dumpRequest(LibC.AF_INET, 0xb37, IpLiterals.parse("10.9.0.1"));

        assertThat(Hex.of(request.toBytes(123456))).isEqualTo(Hex.of(Hex.bytes(SS_DUMP_REQUEST)));
    }

    @Test
    void requestStructRoundTrips() {
        ByteBuffer buffer = Hex.buffer(SS_DUMP_REQUEST);
        buffer.position(StructNlMsgHdr.SIZE);
        StructInetDiagReqV2 request = StructInetDiagReqV2.parse(buffer);

        assertThat(request.family()).isEqualTo(LibC.AF_INET);
        assertThat(request.protocol()).isEqualTo(NetlinkConstants.IPPROTO_TCP);
        assertThat(request.states()).isEqualTo(0xb37);
        assertThat(request.id()).isEqualTo(StructInetDiagSockId.any());
        assertThat(packed(StructInetDiagReqV2.SIZE, request::pack))
                .isEqualTo(Arrays.copyOfRange(Hex.bytes(SS_DUMP_REQUEST), 16, 16 + StructInetDiagReqV2.SIZE));
    }

    @Test
    void localAddressFilterIsOneSourceConditionThatRejectsByJumpingPastTheEnd() {
        byte[] program = InetDiagBytecode.localAddressIs(IpLiterals.parse("10.9.0.1"));

        assertThat(Hex.of(program)).isEqualTo("07101400" + "02200000" + "ffffffff" + "0a090001");
        ByteBuffer buffer = ByteBuffer.wrap(program).order(ByteOrder.nativeOrder());
        assertThat(StructInetDiagBcOp.parse(buffer)).isEqualTo(new StructInetDiagBcOp(7, 16, 20));
        assertThat(StructInetDiagHostCond.parse(buffer))
                .isEqualTo(new StructInetDiagHostCond(LibC.AF_INET, 32, -1, new byte[] {10, 9, 0, 1}));
    }

    @Test
    void ipv6FilterCarriesTheFullAddress() {
        byte[] program = InetDiagBytecode.localAddressIs(IpLiterals.parse("2001:db8::1"));

        assertThat(Hex.of(program)).isEqualTo("071c2000" + "0a800000" + "ffffffff" + "20010db8000000000000000000000001");
    }

    @Test
    void ipv4SocketBecomesASocketEntry() {
        NetlinkMessage message = messages(IPV4_SOCKET).get(0);

        assertThat(message.type()).isEqualTo(SOCK_DIAG_BY_FAMILY);
        assertThat(TcpSocketTable.entry(message)).isEqualTo(new SocketEntry(SocketEntry.Protocol.TCP,
                new InetSocketAddress(IpLiterals.parse("10.9.0.1"), 5000),
                new InetSocketAddress(IpLiterals.parse("10.9.0.2"), 46386), TcpState.ESTABLISHED, 9084));
        StructInetDiagMsg socket = StructInetDiagMsg.parse(message.body());
        assertThat(socket.id().cookie()).isEqualTo(32);
        assertThat(socket.id().interfaceIndex()).isZero();
    }

    @Test
    void diagMessageRoundTripsWithBigEndianPortsAndNativeInode() {
        NetlinkMessage message = messages(IPV4_SOCKET).get(0);
        StructInetDiagMsg socket = StructInetDiagMsg.parse(message.body());

        assertThat(socket.id().sourcePort()).isEqualTo(0x1388);
        assertThat(socket.inode()).isEqualTo(0x237c);
        assertThat(packed(StructInetDiagMsg.SIZE, socket::pack))
                .isEqualTo(Arrays.copyOfRange(Hex.bytes(IPV4_SOCKET), 16, 16 + StructInetDiagMsg.SIZE));
    }

    @Test
    void ipv4MappedSocketOfADualStackSocketReportsTheIpv4Address() {
        SocketEntry entry = TcpSocketTable.entry(messages(MAPPED_SOCKET).get(0));

        assertThat(entry.local().getAddress()).isInstanceOf(Inet4Address.class).isEqualTo(IpLiterals.parse("10.9.0.1"));
        assertThat(entry.local().getPort()).isEqualTo(5001);
        assertThat(entry.remote()).isEqualTo(new InetSocketAddress(IpLiterals.parse("10.9.0.2"), 38018));
        assertThat(entry.inode()).isEqualTo(9552);
        assertThat(StructInetDiagMsg.parse(messages(MAPPED_SOCKET).get(0).body()).family()).isEqualTo(LibC.AF_INET6);
    }

    @Test
    void destroyEventNamesTheFreedSocketsLocalAddress() {
        NetlinkMessage message = messages(DESTROY_EVENT).get(0);
        StructInetDiagMsg socket = StructInetDiagMsg.parse(message.body());

        assertThat(message.type()).isEqualTo(SOCK_DIAG_BY_FAMILY);
        assertThat(message.header().sequence()).isZero();
        assertThat(TcpState.ofKernel(socket.state())).isEqualTo(TcpState.CLOSE);
        assertThat(socket.inode()).isZero();
        assertThat(socket.id().local(socket.family()))
                .isEqualTo(new InetSocketAddress(IpLiterals.parse("10.9.0.1"), 5000));
    }

    @Test
    void stateMaskHasEveryTcpStateButTimeWaitAndNewSynRecv() {
        int states = TcpSocketTable.STATES;

        for (TcpState state : TcpState.values()) {
            boolean wanted = state != TcpState.UNKNOWN && state != TcpState.TIME_WAIT && state != TcpState.NEW_SYN_RECV;
            assertThat((states >>> state.kernelValue()) & 1).as(state.name()).isEqualTo(wanted ? 1 : 0);
        }
    }

    @Test
    void singleWalkRequestIsTheLegacyRequestWithTheSameFilter() {
        NetlinkRequest request = TcpSocketTable.singleWalkRequest(TcpSocketTable.STATES,
                IpLiterals.parse("10.9.0.1"));

        assertThat(request.type()).isEqualTo(NetlinkConstants.TCPDIAG_GETSOCK);
        assertThat(request.isDump()).isTrue();
        assertThat(Hex.of(request.toBytes(777))).isEqualTo(Hex.of(Hex.bytes(LEGACY_DUMP_REQUEST)));
    }

    @Test
    void legacyRequestStructRoundTrips() {
        ByteBuffer buffer = Hex.buffer(LEGACY_DUMP_REQUEST);
        buffer.position(StructNlMsgHdr.SIZE);
        StructInetDiagReq request = StructInetDiagReq.parse(buffer);

        assertThat(buffer.position()).isEqualTo(StructNlMsgHdr.SIZE + StructInetDiagReq.SIZE);
        assertThat(StructInetDiagReq.SIZE).isEqualTo(60);
        assertThat(request.family()).isZero();
        assertThat(request.states()).isEqualTo(TcpSocketTable.STATES);
        assertThat(request.id()).isEqualTo(StructInetDiagSockId.any());
        assertThat(packed(StructInetDiagReq.SIZE, request::pack))
                .isEqualTo(Arrays.copyOfRange(Hex.bytes(LEGACY_DUMP_REQUEST), 16, 16 + StructInetDiagReq.SIZE));
    }

    @Test
    void answerToTheLegacyDumpHasItsOwnTypeAndTheUsualBody() {
        NetlinkMessage message = messages(LEGACY_ANSWER).get(0);

        assertThat(message.type()).isEqualTo(NetlinkConstants.TCPDIAG_GETSOCK);
        DiagSocket socket = DiagSocket.parse(message);
        assertThat(socket.family()).isEqualTo(LibC.AF_INET6);
        assertThat(socket.cookie()).isEqualTo(0xe93);
        assertThat(socket.isLiveConnection()).isTrue();
        assertThat(TcpSocketTable.entry(message)).isEqualTo(new SocketEntry(SocketEntry.Protocol.TCP,
                new InetSocketAddress(IpLiterals.parse("10.9.0.1"), 5001),
                new InetSocketAddress(IpLiterals.parse("10.9.0.2"), 32913), TcpState.ESTABLISHED, 0x15339e));
    }

    @Test
    void lookupRequestCarriesTheSocketsFullIdAndCookieWithoutDumpFlag() {
        DiagSocket socket =
                DiagSocket.parse(messages(LEGACY_ANSWER).get(0));

        NetlinkRequest request = TcpSocketTable.lookupRequest(socket.family(), socket.id());

        assertThat(request.isDump()).isFalse();
        assertThat(Hex.of(request.toBytes(778))).isEqualTo(Hex.of(Hex.bytes(LOOKUP_REQUEST)));
    }

    @Test
    void lookupAnswersAreTheSocketAndAnAckOrEnoent() {
        List<NetlinkMessage> found = messages(LOOKUP_FOUND);
        assertThat(found).hasSize(2);
        assertThat(DiagSocket.parse(found.get(0)).cookie()).isEqualTo(0xe93);
        assertThat(StructNlMsgErr.parse(found.get(1).body(), found.get(1).header()).isAck()).isTrue();

        NetlinkMessage gone = messages(LOOKUP_GONE).get(0);
        assertThat(gone.type()).isEqualTo(NetlinkConstants.NLMSG_ERROR);
        assertThat(StructNlMsgErr.parse(gone.body(), gone.header()).errno()).isEqualTo(Errno.ENOENT);
    }
}
