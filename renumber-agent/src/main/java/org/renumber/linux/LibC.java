package org.renumber.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * The few libc calls the adapter needs, by JNA direct mapping. Each call that can fail declares
 * {@link LastErrorException}, which carries errno. Sizes are {@code long} because this adapter runs on
 * 64-bit Linux (LP64: {@code size_t} and {@code ssize_t} are 64 bits wide).
 */
public final class LibC {

    public static final int AF_UNSPEC = 0;
    public static final int AF_INET = 2;
    public static final int AF_NETLINK = 16;
    public static final int AF_INET6 = 10;

    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_RCVBUFFORCE = 33;

    public static final int MSG_PEEK = 0x2;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_PEEK_TRUNC = MSG_PEEK | MSG_TRUNC;
    public static final int MSG_DONTWAIT = 0x40;

    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;

    public static final int CLONE_NEWNET = 0x40000000;

    // sys/mount.h, sys/file.h, linux/magic.h: creating a named network namespace as ip netns add does
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;
    public static final int LOCK_EX = 2;
    public static final int LOCK_UN = 8;
    public static final long NSFS_MAGIC = 0x6e736673;
    /** {@code struct statfs} is 120 bytes on x86_64 and arm64, {@code f_type} (a long) first; room to spare. */
    public static final int STATFS_BUFFER_SIZE = 256;

    public static final int EFD_CLOEXEC = 0x80000;

    public static final short POLLIN = 0x1;

    static {
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    public static native int bind(int fd, byte[] address, int addressLength) throws LastErrorException;

    public static native int getsockname(int fd, byte[] address, int[] addressLength) throws LastErrorException;

    public static native long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

    /** The buffer must be direct; the kernel writes from its start (position 0). */
    public static native long recv(int fd, ByteBuffer buffer, long length, int flags) throws LastErrorException;

    public static native int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

    public static native int getsockopt(int fd, int level, int name, byte[] value, int[] length) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int open(String path, int flags) throws LastErrorException;

    public static native int setns(int fd, int nstype) throws LastErrorException;

    /** Moves the calling thread (only) into a new namespace of the types in {@code flags}. */
    public static native int unshare(int flags) throws LastErrorException;

    public static native int mount(String source, String target, String filesystemType, long flags, Pointer data)
            throws LastErrorException;

    public static native int umount2(String target, int flags) throws LastErrorException;

    public static native int flock(int fd, int operation) throws LastErrorException;

    /** Fills {@code buffer} with {@code struct statfs}; see {@link #STATFS_BUFFER_SIZE}. */
    public static native int statfs(String path, byte[] buffer) throws LastErrorException;

    public static native int eventfd(int initialValue, int flags) throws LastErrorException;

    public static native long write(int fd, byte[] buffer, long length) throws LastErrorException;

    /** {@code fds} holds {@code struct pollfd} entries: int fd, short events, short revents (8 bytes each). */
    public static native int poll(byte[] fds, long count, int timeoutMillis) throws LastErrorException;

    public static native String strerror(int errno);
}
