package org.renumber.linux;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.renumber.domain.NetworkException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network namespace the agent manages, entered by one dedicated thread only.
 *
 * <p>Namespaces belong to threads, not processes: {@code setns(2)} moves just the calling thread, and a
 * socket stays in the namespace it was created in whatever thread uses it later. So this class owns one
 * daemon thread that enters the namespace ({@code /run/netns/NAME}, as {@code ip netns add} creates it) and
 * never leaves it; sockets are created on that thread ({@link #openSocket}) and then used from anywhere.
 * The agent's own threads (main, JMX, HTTP, pools) never call setns and stay where the agent started.
 * Short tasks that depend on the calling thread's namespace, such as reading {@code /proc/sys/net/...},
 * run on that thread too ({@link #call}).
 */
public final class LinuxNetns implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LinuxNetns.class);
    /** Where {@code ip netns} keeps named namespaces: one bind mount of an nsfs inode per name. */
    static final Path NETNS_DIR = Path.of("/run/netns");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@:+-]{1,200}");
    private static final Runnable STOP = () -> { };

    private final String name;
    private final Thread thread;
    private final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> entered = new CompletableFuture<>();
    private volatile boolean closed;

    private LinuxNetns(String name) {
        this.name = name;
        this.thread = new Thread(this::run, "renumber-netns-" + (name == null ? "self" : name));
        thread.setDaemon(true);
    }

    /**
     * Enters the namespace {@code /run/netns/NAME} on a new dedicated thread; {@code null} stays in the
     * namespace of the calling thread (the agent's own).
     *
     * @throws IllegalArgumentException when the name cannot be a namespace name
     * @throws NetworkException when the namespace does not exist or cannot be entered (errno inside)
     */
    public static LinuxNetns open(String nameOrNull) {
        if (nameOrNull != null) {
            requireName(nameOrNull);
        }
        LinuxNetns netns = new LinuxNetns(nameOrNull);
        netns.thread.start();
        try {
            netns.entered.get();
            return netns;
        } catch (ExecutionException e) {
            netns.close();
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            netns.close();
            throw new IllegalStateException("interrupted while entering network namespace " + nameOrNull, e);
        }
    }

    /** Rejects names that are not a plain file name under /run/netns (no path tricks). */
    static void requireName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalArgumentException("'" + name + "' is not a network namespace name (as in ip netns list)");
        }
    }

    /** The namespace name, or null for the agent's own namespace. */
    public String name() {
        return name;
    }

    /** For messages: {@code network namespace 'NAME'} or {@code the agent's network namespace}. */
    public String describe() {
        return name == null ? "the agent's network namespace" : "network namespace '" + name + "'";
    }

    /**
     * Runs a short task on the namespace's thread and returns its result. Runtime exceptions are rethrown as
     * they are; checked ones wrapped ({@link IOException} as {@link UncheckedIOException}). Keep tasks short:
     * they run one at a time.
     */
    public <T> T call(Callable<T> task) {
        if (Thread.currentThread() == thread) {
            return runHere(task);
        }
        if (closed) {
            throw new IllegalStateException(describe() + " is closed");
        }
        FutureTask<T> future = new FutureTask<>(() -> runHere(task));
        tasks.add(future);
        if (closed) {
            future.cancel(false); // close() may already have drained the queue
        }
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } catch (CancellationException e) {
            throw new IllegalStateException(describe() + " is closed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a task in " + describe(), e);
        }
    }

    /** Reads a file whose content depends on the thread's namespace, e.g. {@code /proc/sys/net/ipv4/conf/all/forwarding}. */
    public String readFile(Path path) {
        return call(() -> Files.readString(path, StandardCharsets.US_ASCII));
    }

    /** The namespace's identity as the kernel shows it ({@code net:[4026532290]}), read on its thread. */
    public String identity() {
        return call(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tasks.add(STOP);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Runnable left = tasks.poll(); left != null; left = tasks.poll()) {
            if (left instanceof FutureTask<?> future) {
                future.cancel(false);
            }
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    private void run() {
        try {
            if (name != null) {
                enter(NETNS_DIR.resolve(name));
            }
            entered.complete(null);
        } catch (RuntimeException e) {
            entered.completeExceptionally(e);
            return;
        }
        while (true) {
            Runnable task;
            try {
                task = tasks.take();
            } catch (InterruptedException e) {
                log.warn("{} thread interrupted; it stops serving tasks", describe());
                return;
            }
            if (task == STOP) {
                return;
            }
            task.run();
        }
    }

    private void enter(Path path) {
        int fd;
        try {
            fd = LibC.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetworkException("enter " + describe() + " failed: cannot open " + path + ": "
                    + Errno.describe(e.getErrorCode()) + (e.getErrorCode() == Errno.ENOENT ? " (see ip netns list)" : ""),
                    e.getErrorCode());
        }
        try {
            LibC.setns(fd, LibC.CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new NetworkException("enter " + describe() + " failed: setns: " + Errno.describe(e.getErrorCode()),
                    e.getErrorCode());
        } finally {
            try {
                LibC.close(fd);
            } catch (LastErrorException ignored) {
                // the namespace is entered; a failed close of its descriptor changes nothing
            }
        }
    }

    private static <T> T runHere(Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
