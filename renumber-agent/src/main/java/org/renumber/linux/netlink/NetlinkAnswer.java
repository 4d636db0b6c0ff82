package org.renumber.linux.netlink;

import static org.renumber.linux.netlink.NetlinkConstants.NLMSG_DONE;
import static org.renumber.linux.netlink.NetlinkConstants.NLMSG_ERROR;
import static org.renumber.linux.netlink.NetlinkConstants.NLMSG_NOOP;
import static org.renumber.linux.netlink.NetlinkConstants.NLMSG_OVERRUN;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_DUMP_INTR;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.renumber.linux.Errno;

/**
 * Collects the answer to one request of {@link NetlinkSocket} (one sequence number): the messages its parser
 * turns into values, up to the acknowledgement or {@code NLMSG_DONE}; an error message becomes the
 * {@link org.renumber.domain.NetworkException} naming the operation.
 */
final class NetlinkAnswer<T> {
    private final String operation;
    private final int sequence;
    private final Function<NetlinkMessage, T> parser;
    private final List<T> results = new ArrayList<>();
    private boolean complete;
    private boolean interrupted;

    NetlinkAnswer(String operation, int sequence, Function<NetlinkMessage, T> parser) {
        this.operation = operation;
        this.sequence = sequence;
        this.parser = parser;
    }

    void accept(NetlinkMessage message) {
        StructNlMsgHdr header = message.header();
        if (header.sequence() != sequence || complete) {
            return; // the late answer to an earlier request that timed out
        }
        if (header.hasFlag(NLM_F_DUMP_INTR)) {
            interrupted = true;
        }
        switch (header.type()) {
            case NLMSG_NOOP -> { }
            case NLMSG_ERROR -> {
                StructNlMsgErr error = StructNlMsgErr.parse(message.body(), header);
                if (!error.isAck()) {
                    throw NetlinkSocket.failure(operation, error.errno(), error.extendedMessage());
                }
                complete = true;
            }
            case NLMSG_DONE -> {
                // A dump that fails part-way reports -errno in the DONE message.
                ByteBuffer body = message.body();
                int status = body.remaining() >= 4 ? body.getInt() : 0;
                if (status < 0) {
                    throw NetlinkSocket.failure(operation, -status, null);
                }
                complete = true;
            }
            case NLMSG_OVERRUN -> throw NetlinkSocket.failure(operation, Errno.ENOBUFS, "data lost (NLMSG_OVERRUN)");
            default -> {
                T value = parser.apply(message);
                if (value != null) {
                    results.add(value);
                }
            }
        }
    }

    boolean complete() {
        return complete;
    }

    boolean interrupted() {
        return interrupted;
    }

    List<T> results() {
        return results;
    }
}
