package org.renumber.linux.sockdiag;

import java.nio.ByteBuffer;

/**
 * {@code struct inet_diag_msg} ({@code linux/inet_diag.h}), 72 bytes, one socket in a sock_diag answer or
 * destroy event:
 * <pre>
 * __u8  idiag_family
 * __u8  idiag_state     TCP state (include/net/tcp_states.h)
 * __u8  idiag_timer
 * __u8  idiag_retrans
 * struct inet_diag_sockid id
 * __u32 idiag_expires
 * __u32 idiag_rqueue
 * __u32 idiag_wqueue
 * __u32 idiag_uid
 * __u32 idiag_inode     0 once no process holds the socket (orphaned after close())
 * </pre>
 */
public record StructInetDiagMsg(int family, int state, int timer, int retransmits, StructInetDiagSockId id,
        int expires, int receiveQueue, int sendQueue, int uid, long inode) {

    public static final int SIZE = 4 + StructInetDiagSockId.SIZE + 20;

    public static StructInetDiagMsg parse(ByteBuffer buffer) {
        int family = buffer.get() & 0xff;
        int state = buffer.get() & 0xff;
        int timer = buffer.get() & 0xff;
        int retransmits = buffer.get() & 0xff;
        StructInetDiagSockId id = StructInetDiagSockId.parse(buffer);
        return new StructInetDiagMsg(family, state, timer, retransmits, id, buffer.getInt(), buffer.getInt(),
                buffer.getInt(), buffer.getInt(), Integer.toUnsignedLong(buffer.getInt()));
    }

    public void pack(ByteBuffer buffer) {
        buffer.put((byte) family).put((byte) state).put((byte) timer).put((byte) retransmits);
        id.pack(buffer);
        buffer.putInt(expires).putInt(receiveQueue).putInt(sendQueue).putInt(uid).putInt((int) inode);
    }
}
