package org.renumber.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An exclusive lock on a file, held by this process until {@link #close()} or its death (the kernel drops a
 * dead process's {@code fcntl} locks, so a SIGKILLed agent leaves nothing to clean up). The holder writes its pid
 * and what it holds the lock for into the file, so the next one can say who is in the way.
 */
public final class ProcessLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private ProcessLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code file} for {@code purpose} (e.g. "managing namespace x").
     *
     * @throws IllegalStateException naming the holding process when another one holds it
     */
    public static ProcessLock take(Path file, String purpose) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new IllegalStateException(file + " is locked by " + holder + ": only one agent may be "
                    + purpose + "; stop that one first");
        }
        channel.truncate(0);
        byte[] text = ("pid " + ProcessHandle.current().pid() + " " + purpose + "\n").getBytes(StandardCharsets.UTF_8);
        channel.write(ByteBuffer.wrap(text), 0);
        channel.force(false);
        return new ProcessLock(channel, lock);
    }

    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(512);
        channel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "another process (it has not written its pid yet)";
        }
        String holder = text.lines().findFirst().orElse(text);
        return "the agent with " + holder;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
