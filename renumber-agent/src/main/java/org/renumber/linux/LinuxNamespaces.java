package org.renumber.linux;

import static org.renumber.linux.LinuxNetns.NETNS_DIR;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.renumber.domain.NetworkException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named network namespaces made the way {@code ip netns add} and {@code ip netns del} make them (iproute2
 * {@code ip/ipnetns.c}), so that {@code ip netns list}, {@code ip netns exec} and {@link LinuxNetns#open} all
 * find them: the name is a file {@code /run/netns/NAME} with the namespace's nsfs inode bind-mounted onto it,
 * and that mount is what keeps a namespace without processes alive.
 *
 * <p>The new namespace is made by {@code unshare(CLONE_NEWNET)}, which moves only the calling thread. So
 * {@link #create} does that on a thread of its own, bind-mounts the thread's namespace, returns the thread to
 * where it was and lets it end; no other thread of the agent ever leaves its namespace. Needs root
 * (CAP_SYS_ADMIN).
 */
public final class LinuxNamespaces {

    private static final Logger log = LoggerFactory.getLogger(LinuxNamespaces.class);
    /** The calling thread's own namespace; {@code /proc/self} would name the process's main thread instead. */
    private static final String THREAD_NETNS = "/proc/thread-self/ns/net";

    private LinuxNamespaces() {
    }

    /** Whether {@code /run/netns/NAME} is a namespace mount (an empty file left by a failed create is not). */
    public static boolean exists(String name) {
        LinuxNetns.requireName(name);
        return isNamespaceMount(NETNS_DIR.resolve(name));
    }

    /**
     * Creates the network namespace {@code name} as {@code ip netns add NAME} does: {@code /run/netns} made a
     * shared mount point, an empty file {@code /run/netns/NAME}, and a new namespace bind-mounted onto it. The
     * namespace has only {@code lo}, down. An empty file without a namespace on it (a create that was killed
     * between the two steps) is taken over.
     *
     * @throws NetworkException with {@link Errno#EEXIST} when the namespace exists, or naming the step and
     *         errno that failed (EPERM: not root); nothing is left behind then
     */
    public static void create(String name) {
        LinuxNetns.requireName(name);
        Path file = NETNS_DIR.resolve(name);
        makeRunDirectoryShared();
        createFile(name, file);
        try {
            String identity = bindNewNamespace(name, file);
            log.info("created network namespace {} ({})", name, identity);
        } catch (RuntimeException | Error e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Deletes the name as {@code ip netns del NAME} does: a lazy unmount, then the file. The namespace itself
     * goes when nothing else holds it (a process inside, an open descriptor, a socket of {@link LinuxNetns}).
     * Deleting a name that does not exist does nothing.
     */
    public static void delete(String name) {
        LinuxNetns.requireName(name);
        Path file = NETNS_DIR.resolve(name);
        try {
            LibC.umount2(file.toString(), LibC.MNT_DETACH);
        } catch (LastErrorException e) {
            // EINVAL: not a mount point (a leftover empty file); ENOENT: no such name
            if (e.getErrorCode() != Errno.EINVAL && e.getErrorCode() != Errno.ENOENT) {
                throw new NetworkException("delete network namespace " + name + " failed: umount " + file + ": "
                        + Errno.describe(e.getErrorCode()), e.getErrorCode());
            }
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new NetworkException("delete network namespace " + name + " failed: remove " + file + ": " + e, e);
        }
    }

    /**
     * Makes {@code /run/netns} exist and be a shared mount point, so namespace mounts propagate to (and
     * unmounts from) other mount namespaces. Exactly iproute2's steps: make-shared, and when that fails with
     * EINVAL because the directory is no mount point yet, bind it onto itself once and try again. The flock
     * keeps concurrent creators from stacking bind mounts (Debian bug 949235); like iproute2 it goes on
     * without the lock when flock fails.
     */
    private static void makeRunDirectoryShared() {
        try {
            Files.createDirectory(NETNS_DIR, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (FileAlreadyExistsException e) {
            // the usual case
        } catch (IOException e) {
            throw new NetworkException("create " + NETNS_DIR + " failed: " + e, e);
        }
        String directory = NETNS_DIR.toString();
        int lock;
        try {
            lock = LibC.open(directory, LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetworkException("open " + directory + " failed: " + Errno.describe(e.getErrorCode()), e.getErrorCode());
        }
        try {
            try {
                LibC.flock(lock, LibC.LOCK_EX);
            } catch (LastErrorException e) {
                log.warn("could not lock {} ({}); making it a shared mount without the lock", directory,
                        Errno.describe(e.getErrorCode()));
            }
            boolean madeMountPoint = false;
            while (true) {
                try {
                    LibC.mount("", directory, "none", LibC.MS_SHARED | LibC.MS_REC, null);
                    return;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != Errno.EINVAL || madeMountPoint) {
                        throw new NetworkException("mount --make-shared " + directory + " failed: "
                                + Errno.describe(e.getErrorCode()) + hint(e.getErrorCode()), e.getErrorCode());
                    }
                }
                try {
                    LibC.mount(directory, directory, "none", LibC.MS_BIND | LibC.MS_REC, null);
                } catch (LastErrorException e) {
                    throw new NetworkException("mount --bind " + directory + " " + directory + " failed: "
                            + Errno.describe(e.getErrorCode()) + hint(e.getErrorCode()), e.getErrorCode());
                }
                madeMountPoint = true;
            }
        } finally {
            try {
                LibC.close(lock); // releases the flock too
            } catch (LastErrorException ignored) {
                // nothing to do about a failed close of a directory descriptor
            }
        }
    }

    /** The empty file the namespace is mounted on, mode 000 as iproute2 makes it. */
    private static void createFile(String name, Path file) {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(Set.of()));
        } catch (FileAlreadyExistsException e) {
            if (isNamespaceMount(file)) {
                throw new NetworkException("create network namespace " + name + " failed: it exists (ip netns list)",
                        Errno.EEXIST);
            }
            if (!isEmptyRegularFile(file)) {
                throw new NetworkException("create network namespace " + name + " failed: " + file
                        + " exists and is no namespace", Errno.EEXIST);
            }
            log.warn("{} is an empty file without a namespace (an interrupted create); taking it over", file);
        } catch (IOException e) {
            throw new NetworkException("create network namespace " + name + " failed: create " + file + ": " + e, e);
        }
    }

    /**
     * On a new thread: unshare the network namespace, bind-mount it onto {@code file}, return to the agent's
     * namespace, end. Returns the new namespace's identity ({@code net:[4026532290]}). The thread has ended
     * when this returns and is never reused, so nothing of the agent runs in the new namespace except what
     * enters it on purpose ({@link LinuxNetns}).
     */
    private static String bindNewNamespace(String name, Path file) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(unshareAndBind(name, file));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "renumber-netns-create-" + name);
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true; // a few system calls; stopping half-way would leave a stray file behind
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Runs on the dedicated thread only: unshare, bind, and back into the namespace the thread started in (as
     * iproute2's netns_restore does). Going back matters although the thread ends right after: the JVM
     * reports a thread ended (join returns) before the kernel task is gone, and that task would otherwise
     * still be inside the new namespace for a while.
     */
    private static String unshareAndBind(String name, Path file) throws IOException {
        String before = threadNamespace();
        int original;
        try {
            original = LibC.open(THREAD_NETNS, LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetworkException("create network namespace " + name + " failed: open " + THREAD_NETNS + ": "
                    + Errno.describe(e.getErrorCode()), e.getErrorCode());
        }
        try {
            try {
                LibC.unshare(LibC.CLONE_NEWNET);
            } catch (LastErrorException e) {
                throw new NetworkException("create network namespace " + name + " failed: unshare(CLONE_NEWNET): "
                        + Errno.describe(e.getErrorCode()) + hint(e.getErrorCode()), e.getErrorCode());
            }
            try {
                String after = threadNamespace();
                if (after.equals(before)) {
                    // Never bind the host's namespace under a sandbox name: all done "inside" would hit the host.
                    throw new NetworkException("create network namespace " + name + " failed: unshare left the thread in "
                            + before, 0);
                }
                try {
                    LibC.mount(THREAD_NETNS, file.toString(), "none", LibC.MS_BIND, null);
                } catch (LastErrorException e) {
                    throw new NetworkException("create network namespace " + name + " failed: bind " + THREAD_NETNS
                            + " -> " + file + ": " + Errno.describe(e.getErrorCode()), e.getErrorCode());
                }
                return after;
            } finally {
                restore(original, before);
            }
        } finally {
            try {
                LibC.close(original);
            } catch (LastErrorException ignored) {
                // the thread ends anyway
            }
        }
    }

    private static void restore(int original, String before) {
        try {
            LibC.setns(original, LibC.CLONE_NEWNET);
        } catch (LastErrorException e) {
            // The thread ends right after this and runs nothing else; the namespace has its mount.
            log.warn("could not return the namespace-creating thread to {}: {}", before, Errno.describe(e.getErrorCode()));
        }
    }

    private static String threadNamespace() throws IOException {
        return Files.readSymbolicLink(Path.of(THREAD_NETNS)).toString();
    }

    /** True when the path is a mount of nsfs, the file system of namespace inodes. */
    private static boolean isNamespaceMount(Path file) {
        byte[] buffer = new byte[LibC.STATFS_BUFFER_SIZE];
        try {
            LibC.statfs(file.toString(), buffer);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENOENT) {
                return false;
            }
            throw new NetworkException("statfs " + file + " failed: " + Errno.describe(e.getErrorCode()), e.getErrorCode());
        }
        return ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder()).getLong(0) == LibC.NSFS_MAGIC;
    }

    private static boolean isEmptyRegularFile(Path file) {
        try {
            return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String hint(int errno) {
        return errno == Errno.EPERM ? " (creating a network namespace needs root: CAP_SYS_ADMIN)" : "";
    }
}
