package org.renumber.linux.sockdiag;

import static org.renumber.linux.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;
import static org.renumber.linux.netlink.NetlinkConstants.TCPDIAG_GETSOCK;

import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.linux.netlink.NetlinkMessage;

/**
 * One socket of a sock_diag answer, as much as counting and looking up need. An answer to the legacy dump
 * has type TCPDIAG_GETSOCK, the others SOCK_DIAG_BY_FAMILY; the body is the same inet_diag_msg.
 */
record DiagSocket(int family, StructInetDiagSockId id, int state, long inode) {

    /** The socket a message describes, or null for a message of another type. */
    static DiagSocket parse(NetlinkMessage message) {
        if (message.type() != SOCK_DIAG_BY_FAMILY && message.type() != TCPDIAG_GETSOCK) {
            return null;
        }
        StructInetDiagMsg socket = StructInetDiagMsg.parse(message.body());
        return new DiagSocket(socket.family(), socket.id(), socket.state(), socket.inode());
    }

    long cookie() {
        return id.cookie();
    }

    SocketEntry entry() {
        return new SocketEntry(SocketEntry.Protocol.TCP, id.local(family), id.remote(family),
                TcpState.ofKernel(state), inode);
    }

    /** The rule of {@link SocketEntry#isLiveConnection()}: {@link TcpState#holdsAddress}. */
    boolean isLiveConnection() {
        return TcpState.ofKernel(state).holdsAddress(inode != 0);
    }
}
