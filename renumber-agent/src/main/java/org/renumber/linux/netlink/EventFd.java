package org.renumber.linux.netlink;

import com.sun.jna.LastErrorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.renumber.domain.NetworkException;
import org.renumber.linux.Errno;
import org.renumber.linux.LibC;

/**
 * An eventfd(2) used to wake a thread blocked in {@link NetlinkSocket#awaitReadable}: closing a file
 * descriptor does not wake a thread blocked on it in Linux, and netlink sockets do not support shutdown(2).
 */
public final class EventFd implements AutoCloseable {

    private final int fd;
    private boolean closed;

    public EventFd() {
        try {
            fd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetworkException("create eventfd failed: " + Errno.describe(e.getErrorCode()), e.getErrorCode());
        }
    }

    public int fd() {
        return fd;
    }

    /** Makes the descriptor readable for good (it is never read); does nothing once closed. */
    public synchronized void signal() {
        if (closed) {
            return;
        }
        byte[] one = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(1).array();
        try {
            LibC.write(fd, one, one.length);
        } catch (LastErrorException e) {
            throw new NetworkException("signal eventfd failed: " + Errno.describe(e.getErrorCode()), e.getErrorCode());
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                LibC.close(fd);
            } catch (LastErrorException ignored) {
                // nothing useful to do about a failed close of an eventfd
            }
        }
    }
}
