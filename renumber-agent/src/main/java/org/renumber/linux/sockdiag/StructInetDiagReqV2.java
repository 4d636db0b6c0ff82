package org.renumber.linux.sockdiag;

import java.nio.ByteBuffer;

/**
 * {@code struct inet_diag_req_v2} ({@code linux/inet_diag.h}), 56 bytes, the request of SOCK_DIAG_BY_FAMILY:
 * <pre>
 * __u8  sdiag_family      AF_INET or AF_INET6
 * __u8  sdiag_protocol    IPPROTO_TCP, ...
 * __u8  idiag_ext         extensions wanted (bit n-1 for INET_DIAG_n)
 * __u8  pad
 * __u32 idiag_states      bit mask of TCP states (1 << TCP_ESTABLISHED, ...)
 * struct inet_diag_sockid id
 * </pre>
 * A bytecode filter may follow as attribute {@code INET_DIAG_REQ_BYTECODE}.
 */
public record StructInetDiagReqV2(int family, int protocol, int extensions, int states, StructInetDiagSockId id) {

    public static final int SIZE = 8 + StructInetDiagSockId.SIZE;

    public static StructInetDiagReqV2 parse(ByteBuffer buffer) {
        int family = buffer.get() & 0xff;
        int protocol = buffer.get() & 0xff;
        int extensions = buffer.get() & 0xff;
        buffer.get();
        int states = buffer.getInt();
        return new StructInetDiagReqV2(family, protocol, extensions, states, StructInetDiagSockId.parse(buffer));
    }

    public void pack(ByteBuffer buffer) {
        buffer.put((byte) family).put((byte) protocol).put((byte) extensions).put((byte) 0).putInt(states);
        id.pack(buffer);
    }
}
