package org.renumber.linux.sockdiag;

import static org.renumber.linux.netlink.NetlinkConstants.INET_DIAG_REQ_BYTECODE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_DUMP;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.netlink.NetlinkConstants.SOCK_DESTROY;
import static org.renumber.linux.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;

import java.net.InetAddress;
import org.renumber.domain.TcpState;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.StructNlAttr;

/**
 * The sock_diag requests of {@link SockDiagSocketKiller} and {@link SockDiagSocketInventory}, for TCP and UDP
 * alike: a filtered dump by local address, and SOCK_DESTROY of one socket such a dump reported. The byte
 * layouts are the Struct* classes'; this class only says which values go where (as {@code ss -K} sends them).
 */
public final class SockDiagRequests {

    /** TCP states a connection can be in ({@link TcpState#isConnection()}), as an idiag_states mask. */
    public static final int TCP_CONNECTION_STATES = mask(TcpState.ESTABLISHED, TcpState.SYN_SENT, TcpState.SYN_RECV,
            TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT, TcpState.LAST_ACK, TcpState.CLOSING);
    public static final int TCP_LISTEN_STATES = mask(TcpState.LISTEN);
    /**
     * Every state, as {@code ss -u} asks: a UDP socket borrows TCP's numbering, CLOSE when unconnected
     * ({@code UNCONN} in ss) and ESTABLISHED once connect(2)ed.
     */
    public static final int ALL_STATES = 0xfff;

    private SockDiagRequests() {
    }

    /**
     * SOCK_DIAG_BY_FAMILY dump of the {@code protocol} sockets of {@code family} in {@code states} whose local
     * address is {@code localAddress}, any port. With an IPv4 address and AF_INET6 it finds the IPv4-mapped
     * sockets of dual-stack applications (see {@link StructInetDiagHostCond}).
     */
    public static NetlinkRequest dump(int family, int protocol, int states, InetAddress localAddress) {
        NetlinkRequest request = new NetlinkRequest(SOCK_DIAG_BY_FAMILY, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructInetDiagReqV2(family, protocol, 0, states, StructInetDiagSockId.any()).pack(request.buffer());
        StructNlAttr.putBytes(request.buffer(), INET_DIAG_REQ_BYTECODE, InetDiagBytecode.localAddressIs(localAddress));
        return request;
    }

    /**
     * SOCK_DESTROY of the socket a dump reported as {@code socket}: its family and its whole id, cookie included,
     * so the kernel destroys exactly that socket and answers ENOENT if it is gone (or was replaced by another
     * with the same addresses). No states: the kernel looks the socket up by id alone.
     */
    public static NetlinkRequest destroy(int protocol, StructInetDiagMsg socket) {
        NetlinkRequest request = new NetlinkRequest(SOCK_DESTROY, (short) (NLM_F_REQUEST | NLM_F_ACK));
        new StructInetDiagReqV2(socket.family(), protocol, 0, 0, socket.id()).pack(request.buffer());
        return request;
    }

    private static int mask(TcpState... states) {
        int mask = 0;
        for (TcpState state : states) {
            mask |= 1 << state.kernelValue();
        }
        return mask;
    }
}
