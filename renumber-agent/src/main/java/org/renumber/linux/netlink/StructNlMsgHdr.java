package org.renumber.linux.netlink;

import java.nio.ByteBuffer;

/**
 * {@code struct nlmsghdr} ({@code linux/netlink.h}), 16 bytes in native byte order:
 * <pre>
 * __u32 nlmsg_len    length of the message including this header
 * __u16 nlmsg_type
 * __u16 nlmsg_flags
 * __u32 nlmsg_seq
 * __u32 nlmsg_pid    sender port id (0 = kernel)
 * </pre>
 */
public record StructNlMsgHdr(int length, short type, short flags, int sequence, int portId) {

    public static final int SIZE = 16;
    /** Messages and attributes start on 4-byte boundaries ({@code NLMSG_ALIGNTO}). */
    public static final int ALIGNTO = 4;

    public static int align(int length) {
        return (length + ALIGNTO - 1) & ~(ALIGNTO - 1);
    }

    /** Reads a header at the buffer's position (native order) and advances past it; null if fewer than 16 bytes remain. */
    public static StructNlMsgHdr parse(ByteBuffer buffer) {
        if (buffer.remaining() < SIZE) {
            return null;
        }
        return new StructNlMsgHdr(buffer.getInt(), buffer.getShort(), buffer.getShort(), buffer.getInt(), buffer.getInt());
    }

    public void pack(ByteBuffer buffer) {
        buffer.putInt(length).putShort(type).putShort(flags).putInt(sequence).putInt(portId);
    }

    public boolean hasFlag(short flag) {
        return (flags & flag) != 0;
    }

    @Override
    public String toString() {
        return "nlmsghdr{len=" + length + ", type=" + type + ", flags=0x" + Integer.toHexString(flags & 0xffff)
                + ", seq=" + Integer.toUnsignedString(sequence) + ", pid=" + Integer.toUnsignedString(portId) + "}";
    }
}
