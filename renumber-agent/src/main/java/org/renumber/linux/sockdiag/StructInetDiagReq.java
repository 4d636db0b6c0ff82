package org.renumber.linux.sockdiag;

import java.nio.ByteBuffer;

/**
 * {@code struct inet_diag_req} ({@code linux/inet_diag.h}), 60 bytes, the request of the legacy message type
 * {@code TCPDIAG_GETSOCK} that predates SOCK_DIAG_BY_FAMILY:
 * <pre>
 * __u8  idiag_family     ignored by a dump: the kernel dumps every family (sdiag_family AF_UNSPEC)
 * __u8  idiag_src_len
 * __u8  idiag_dst_len
 * __u8  idiag_ext        extensions wanted (bit n-1 for INET_DIAG_n)
 * struct inet_diag_sockid id
 * __u32 idiag_states     bit mask of TCP states
 * __u32 idiag_dbs        unused by the kernel
 * </pre>
 * A bytecode filter may follow as attribute {@code INET_DIAG_REQ_BYTECODE}, as after
 * {@link StructInetDiagReqV2}. Why this old request is worth sending: {@link TcpSocketTable}.
 */
public record StructInetDiagReq(int family, int sourceLength, int destinationLength, int extensions,
        StructInetDiagSockId id, int states, int tables) {

    public static final int SIZE = 4 + StructInetDiagSockId.SIZE + 8;

    public static StructInetDiagReq parse(ByteBuffer buffer) {
        int family = buffer.get() & 0xff;
        int sourceLength = buffer.get() & 0xff;
        int destinationLength = buffer.get() & 0xff;
        int extensions = buffer.get() & 0xff;
        StructInetDiagSockId id = StructInetDiagSockId.parse(buffer);
        return new StructInetDiagReq(family, sourceLength, destinationLength, extensions, id, buffer.getInt(),
                buffer.getInt());
    }

    public void pack(ByteBuffer buffer) {
        buffer.put((byte) family).put((byte) sourceLength).put((byte) destinationLength).put((byte) extensions);
        id.pack(buffer);
        buffer.putInt(states).putInt(tables);
    }
}
