package org.renumber.linux.netlink;

import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_ADD_MEMBERSHIP;
import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_CAP_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_DROP_MEMBERSHIP;
import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_EXT_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLMSG_DONE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_DUMP_INTR;
import static org.renumber.linux.netlink.NetlinkConstants.SOL_NETLINK;

import com.sun.jna.LastErrorException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.renumber.domain.NetworkException;
import org.renumber.linux.Errno;
import org.renumber.linux.LibC;
import org.renumber.linux.LinuxNetns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A netlink socket: requests answered by an acknowledgement, dumps answered by many messages up to
 * {@code NLMSG_DONE}, and multicast event streams. The socket belongs to the network namespace of the thread
 * that created it; create it through {@link #openIn(LinuxNetns, int)}.
 *
 * <p>Requests are serialized on the socket; use separate sockets for requests and for multicast events, as
 * events would otherwise interleave with answers. Failures become {@link NetworkException} naming the
 * operation, the errno and the kernel's extended-ack text when it gives one.
 */
public final class NetlinkSocket implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NetlinkSocket.class);

    /** Holds any dump datagram: the kernel fills dump datagrams up to 32 KiB at most (netlink_dump). */
    private static final int INITIAL_RECEIVE_BUFFER = 64 * 1024;
    /** The kernel answers within microseconds; this only keeps a thread from hanging forever on a lost answer. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    /** A dump that raced with a change is flagged NLM_F_DUMP_INTR; repeat it this many times at most. */
    private static final int DUMP_ATTEMPTS = 3;
    private static final int SOCKADDR_NL_SIZE = 12;

    private final int fd;
    private final int protocol;
    private final Object lock = new Object();
    private int sequence = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE / 2);
    private ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(INITIAL_RECEIVE_BUFFER);
    private boolean closed;

    private NetlinkSocket(int fd, int protocol) {
        this.fd = fd;
        this.protocol = protocol;
    }

    /** Opens a socket of {@code protocol} ({@link NetlinkConstants#NETLINK_ROUTE}, ...) inside {@code netns}. */
    public static NetlinkSocket openIn(LinuxNetns netns, int protocol) {
        return netns.call(() -> open(protocol));
    }

    /** Opens a socket in the calling thread's network namespace. */
    private static NetlinkSocket open(int protocol) {
        int fd;
        try {
            fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        } catch (LastErrorException e) {
            throw failure("open netlink socket (protocol " + protocol + ")", e.getErrorCode(), null);
        }
        NetlinkSocket socket = new NetlinkSocket(fd, protocol);
        try {
            byte[] address = ByteBuffer.allocate(SOCKADDR_NL_SIZE).order(ByteOrder.nativeOrder())
                    .putShort((short) LibC.AF_NETLINK).array(); // nl_pid 0: the kernel picks the port id
            LibC.bind(fd, address, address.length);
            socket.setOptionQuietly(SOL_NETLINK, NETLINK_EXT_ACK, 1); // reasons in errors (kernel 4.12+)
            socket.setOptionQuietly(SOL_NETLINK, NETLINK_CAP_ACK, 1); // errors without an echo of the request
            socket.setReceiveTimeout(ANSWER_TIMEOUT);
            return socket;
        } catch (LastErrorException e) {
            socket.close();
            throw failure("bind netlink socket (protocol " + protocol + ")", e.getErrorCode(), null);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public int protocol() {
        return protocol;
    }

    /** The port id the kernel bound this socket to. */
    public int portId() {
        byte[] address = new byte[SOCKADDR_NL_SIZE];
        int[] length = {address.length};
        try {
            LibC.getsockname(fd, address, length);
        } catch (LastErrorException e) {
            throw failure("getsockname on netlink socket", e.getErrorCode(), null);
        }
        return ByteBuffer.wrap(address).order(ByteOrder.nativeOrder()).getInt(4);
    }

    /** Sends a request that must carry {@code NLM_F_ACK} and waits for the kernel's acknowledgement. */
    public void request(String operation, NetlinkRequest request) {
        if ((request.flags() & NLM_F_ACK) == 0) {
            throw new IllegalArgumentException(operation + ": a request waits for an ack, so it needs NLM_F_ACK");
        }
        transact(operation, request, message -> null);
    }

    /**
     * Like {@link #request}, for a step a restarted or concurrent caller may find done: the kernel's
     * {@code alreadyDone} answer (EEXIST for an add, ENOENT or ESRCH for a delete) means it is as asked.
     *
     * @return false when the kernel answered {@code alreadyDone}
     */
    public boolean requestUnlessDone(String operation, NetlinkRequest request, int alreadyDone) {
        try {
            request(operation, request);
            return true;
        } catch (NetworkException e) {
            if (e.errno() != alreadyDone) {
                throw e;
            }
            return false;
        }
    }

    /**
     * Sends a dump ({@code NLM_F_DUMP}) or a get with {@code NLM_F_ACK} and collects the answer messages that
     * {@code parser} turns into a value (null skips a message). A dump the kernel flags as interrupted by a
     * concurrent change is repeated.
     */
    public <T> List<T> transact(String operation, NetlinkRequest request, Function<NetlinkMessage, T> parser) {
        if (!request.isDump() && (request.flags() & NLM_F_ACK) == 0) {
            throw new IllegalArgumentException(operation + ": without NLM_F_DUMP the request needs NLM_F_ACK");
        }
        synchronized (lock) {
            requireOpen(operation);
            for (int attempt = 1; ; attempt++) {
                int seq = nextSequence();
                send(operation, request.toBytes(seq));
                NetlinkAnswer<T> answer = new NetlinkAnswer<>(operation, seq, parser);
                while (!answer.complete()) {
                    ByteBuffer datagram = receiveDatagram(operation, 0);
                    NetlinkMessage.forEach(datagram, answer::accept);
                }
                if (!answer.interrupted() || attempt == DUMP_ATTEMPTS) {
                    if (answer.interrupted()) {
                        log.debug("{}: dump still inconsistent after {} attempts, using the last one", operation, attempt);
                    }
                    return answer.results();
                }
                log.debug("{}: dump interrupted by a concurrent change, repeating it", operation);
            }
        }
    }

    /** Joins a multicast group (groups are numbered from 1, as in the kernel's enums). */
    public void joinGroup(int group) {
        setOption("join netlink multicast group " + group, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
    }

    public void leaveGroup(int group) {
        setOption("leave netlink multicast group " + group, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
    }

    /**
     * Asks for a kernel receive buffer of {@code bytes}: SO_RCVBUFFORCE (which may exceed net.core.rmem_max, as
     * root) and SO_RCVBUF as a fallback. Returns the size the kernel reports (it doubles the request for its
     * bookkeeping). A larger buffer makes multicast overruns (ENOBUFS) rarer, never impossible.
     */
    public int setReceiveBufferSize(int bytes) {
        try {
            setOptionChecked(LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, bytes);
        } catch (LastErrorException e) {
            log.debug("SO_RCVBUFFORCE refused ({}), using SO_RCVBUF", Errno.describe(e.getErrorCode()));
            setOption("set SO_RCVBUF", LibC.SOL_SOCKET, LibC.SO_RCVBUF, bytes);
        }
        byte[] value = new byte[4];
        int[] length = {4};
        try {
            LibC.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, value, length);
        } catch (LastErrorException e) {
            throw failure("get SO_RCVBUF", e.getErrorCode(), null);
        }
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
    }

    /** How long a blocking receive waits before failing with EAGAIN. */
    public void setReceiveTimeout(Duration timeout) {
        byte[] timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                .putLong(timeout.getSeconds()).putLong(timeout.getNano() / 1000).array();
        try {
            LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, timeval.length);
        } catch (LastErrorException e) {
            throw failure("set SO_RCVTIMEO", e.getErrorCode(), null);
        }
    }

    /**
     * Blocks until the socket has something to read (true) or {@code wakeup} was signalled (false), or the
     * timeout passed (false); a negative timeout waits without limit.
     */
    public boolean awaitReadable(EventFd wakeup, int timeoutMillis) {
        ByteBuffer fds = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        fds.putInt(fd).putShort(LibC.POLLIN).putShort((short) 0);
        fds.putInt(wakeup.fd()).putShort(LibC.POLLIN).putShort((short) 0);
        byte[] pollfds = fds.array();
        while (true) {
            try {
                LibC.poll(pollfds, 2, timeoutMillis);
                ByteBuffer result = ByteBuffer.wrap(pollfds).order(ByteOrder.nativeOrder());
                boolean woken = result.getShort(14) != 0;
                return !woken && result.getShort(6) != 0;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw failure("poll netlink socket", e.getErrorCode(), null);
                }
            }
        }
    }

    /**
     * Reads every message already queued on a multicast socket, without blocking, and returns how many there
     * were. When the kernel had to drop messages because the receive buffer was full, this throws a
     * {@link NetworkException} whose {@link NetworkException#errno() errno} is {@link Errno#ENOBUFS}: events
     * were lost, so the caller must resynchronize with a dump. The socket stays usable.
     */
    public int receiveEvents(Consumer<NetlinkMessage> onMessage) {
        int[] count = {0};
        synchronized (lock) {
            requireOpen("receive netlink events");
            while (true) {
                ByteBuffer datagram = receiveDatagram("receive netlink events", LibC.MSG_DONTWAIT);
                if (datagram == null) {
                    return count[0];
                }
                NetlinkMessage.forEach(datagram, message -> {
                    count[0]++;
                    onMessage.accept(message);
                });
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                LibC.close(fd);
            } catch (LastErrorException e) {
                log.debug("close of netlink socket {} failed: {}", fd, Errno.describe(e.getErrorCode()));
            }
        }
    }

    private int nextSequence() {
        sequence = sequence == Integer.MAX_VALUE ? 1 : sequence + 1;
        return sequence;
    }

    private void send(String operation, byte[] message) {
        while (true) {
            try {
                long sent = LibC.send(fd, message, message.length, 0);
                if (sent != message.length) {
                    throw new NetworkException(operation + " failed: sent " + sent + " of " + message.length + " bytes", 0);
                }
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw failure(operation, e.getErrorCode(), null);
                }
            }
        }
    }

    /**
     * Receives one datagram into the receive buffer, growing it first if the datagram is larger (a peek with
     * MSG_TRUNC tells the real size, as iproute2 does). Returns a view of the datagram, or null when
     * {@code flags} has MSG_DONTWAIT and nothing is queued.
     */
    private ByteBuffer receiveDatagram(String operation, int flags) {
        while (true) {
            try {
                long size = LibC.recv(fd, receiveBuffer, 0, flags | LibC.MSG_PEEK_TRUNC);
                if (size > receiveBuffer.capacity()) {
                    receiveBuffer = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8, size * 2));
                }
                long received = LibC.recv(fd, receiveBuffer, receiveBuffer.capacity(), flags);
                return receiveBuffer.duplicate().position(0).limit((int) received).order(ByteOrder.nativeOrder());
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (errno == Errno.EAGAIN && (flags & LibC.MSG_DONTWAIT) != 0) {
                    return null;
                }
                if (errno == Errno.EAGAIN) {
                    throw new NetworkException(operation + " failed: no answer from the kernel within "
                            + ANSWER_TIMEOUT.toSeconds() + " s", errno);
                }
                throw failure(operation, errno, errno == Errno.ENOBUFS
                        ? "the kernel dropped messages because the receive buffer was full; resynchronize" : null);
            }
        }
    }

    private void setOption(String operation, int level, int name, int value) {
        try {
            setOptionChecked(level, name, value);
        } catch (LastErrorException e) {
            throw failure(operation, e.getErrorCode(), null);
        }
    }

    private void setOptionQuietly(int level, int name, int value) {
        try {
            setOptionChecked(level, name, value);
        } catch (LastErrorException e) {
            log.debug("netlink socket option {}/{} not supported: {}", level, name, Errno.describe(e.getErrorCode()));
        }
    }

    private void setOptionChecked(int level, int name, int value) {
        byte[] bytes = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
        LibC.setsockopt(fd, level, name, bytes, bytes.length);
    }

    private void requireOpen(String operation) {
        if (closed) {
            throw new IllegalStateException(operation + ": the netlink socket is closed");
        }
    }

    /** The failure of {@code operation}: its errno described, and the kernel's detail when it gave one. */
    public static NetworkException failure(String operation, int errno, String detail) {
        return new NetworkException(operation + " failed: " + Errno.describe(errno)
                + (detail == null || detail.isBlank() ? "" : ": " + detail), errno);
    }
}
