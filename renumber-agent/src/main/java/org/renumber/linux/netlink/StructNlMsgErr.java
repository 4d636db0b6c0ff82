package org.renumber.linux.netlink;

import static org.renumber.linux.netlink.NetlinkConstants.NLMSGERR_ATTR_MSG;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK_TLVS;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_CAPPED;

import java.nio.ByteBuffer;

/**
 * {@code struct nlmsgerr} ({@code linux/netlink.h}), the payload of an {@code NLMSG_ERROR} message:
 * <pre>
 * int              error   0 = acknowledgement, otherwise -errno
 * struct nlmsghdr  msg     header of the request it answers
 * </pre>
 * Unless the message is flagged {@code NLM_F_CAPPED}, the request's payload follows; with
 * {@code NLM_F_ACK_TLVS}, extended-ack attributes follow after that (a human-readable reason among them).
 *
 * @param extendedMessage the kernel's {@code NLMSGERR_ATTR_MSG} text, or null
 */
public record StructNlMsgErr(int error, StructNlMsgHdr request, String extendedMessage) {

    public static final int SIZE = 4 + StructNlMsgHdr.SIZE;

    /** Reads the payload of an NLMSG_ERROR message whose header is {@code header}, extended-ack text included. */
    public static StructNlMsgErr parse(ByteBuffer payload, StructNlMsgHdr header) {
        int start = payload.position();
        int error = payload.getInt();
        StructNlMsgHdr request = StructNlMsgHdr.parse(payload);
        String text = null;
        if (header.hasFlag(NLM_F_ACK_TLVS) && request != null) {
            int attributes = header.hasFlag(NLM_F_CAPPED)
                    ? start + SIZE
                    : start + 4 + StructNlMsgHdr.align(request.length());
            if (attributes <= payload.limit()) {
                payload.position(attributes);
                StructNlAttr message = StructNlAttr.find(StructNlAttr.parseAll(payload), NLMSGERR_ATTR_MSG);
                text = message == null ? null : message.asString();
            }
        }
        return new StructNlMsgErr(error, request, text);
    }

    public void pack(ByteBuffer buffer) {
        buffer.putInt(error);
        request.pack(buffer);
    }

    public boolean isAck() {
        return error == 0;
    }

    /** The positive errno of a failure. */
    public int errno() {
        return -error;
    }
}
