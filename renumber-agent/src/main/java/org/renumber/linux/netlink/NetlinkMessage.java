package org.renumber.linux.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * One netlink message: its header and its payload (the bytes after the header, native order, position 0).
 * The payload of a message handed to a callback may be a view into a reused receive buffer: parse it inside
 * the callback, do not keep it.
 */
public record NetlinkMessage(StructNlMsgHdr header, ByteBuffer payload) {

    /** Splits a datagram (from the buffer's position to its limit) into messages. */
    public static void forEach(ByteBuffer datagram, Consumer<NetlinkMessage> onMessage) {
        ByteBuffer buffer = datagram.duplicate().order(ByteOrder.nativeOrder());
        while (buffer.remaining() >= StructNlMsgHdr.SIZE) {
            int start = buffer.position();
            StructNlMsgHdr header = StructNlMsgHdr.parse(buffer);
            if (header.length() < StructNlMsgHdr.SIZE || header.length() > buffer.limit() - start) {
                throw new IllegalArgumentException("malformed netlink message: " + header + " with "
                        + (buffer.limit() - start) + " bytes left in the datagram");
            }
            ByteBuffer payload = buffer.slice(start + StructNlMsgHdr.SIZE, header.length() - StructNlMsgHdr.SIZE)
                    .order(ByteOrder.nativeOrder());
            onMessage.accept(new NetlinkMessage(header, payload));
            buffer.position(Math.min(buffer.limit(), start + StructNlMsgHdr.align(header.length())));
        }
    }

    public short type() {
        return header.type();
    }

    /** A fresh view of the payload from its start (parsing moves the view's position, not the message's). */
    public ByteBuffer body() {
        return payload.duplicate().order(ByteOrder.nativeOrder());
    }
}
