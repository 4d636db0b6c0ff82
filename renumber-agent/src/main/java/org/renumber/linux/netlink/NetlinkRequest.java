package org.renumber.linux.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A request being written: reserve the header, append the fixed struct and attributes to {@link #buffer()},
 * and the socket fills in the header ({@code nlmsg_len}, sequence number) when it sends it.
 */
public final class NetlinkRequest {

    /** Far more than any request of this adapter needs (the largest, a route, is under 100 bytes). */
    private static final int CAPACITY = 4096;

    private final short type;
    private final short flags;
    private final ByteBuffer buffer;

    public NetlinkRequest(short type, short flags) {
        this.type = type;
        this.flags = flags;
        this.buffer = ByteBuffer.allocate(CAPACITY).order(ByteOrder.nativeOrder());
        buffer.position(StructNlMsgHdr.SIZE);
    }

    /** Where structs and attributes are appended (native order). */
    public ByteBuffer buffer() {
        return buffer;
    }

    public short type() {
        return type;
    }

    public short flags() {
        return flags;
    }

    public boolean isDump() {
        return (flags & NetlinkConstants.NLM_F_DUMP) == NetlinkConstants.NLM_F_DUMP;
    }

    /** The finished message with this sequence number (port id 0: the kernel fills in the sender). */
    public byte[] toBytes(int sequence) {
        int length = buffer.position();
        ByteBuffer message = ByteBuffer.wrap(Arrays.copyOf(buffer.array(), length)).order(ByteOrder.nativeOrder());
        new StructNlMsgHdr(length, type, flags, sequence, 0).pack(message);
        return message.array();
    }
}
