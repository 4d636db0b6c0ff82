package org.renumber.examples;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;

/**
 * Lets a process in a client namespace reach the agent's JMX connector on another namespace's loopback (the agent
 * offers it only there, {@code --netns-jmx-port}): listens on this namespace's 127.0.0.1:PORT and connects each
 * accepted connection to 127.0.0.1:PORT in the agent's namespace, with a socket made by a thread that entered that
 * namespace for the moment ({@code setns(2)} moves the calling thread only). The same port on both sides, so the
 * RMI stubs the connector hands out point to the bridge as well.
 */
final class JmxBridge implements AutoCloseable {

    private static final int CLONE_NEWNET = 0x40000000;

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;
    }

    private final ServerSocket listener;
    private final Path agentNamespace;
    private final int port;

    JmxBridge(Path agentNamespace, int port) throws IOException {
        this.agentNamespace = agentNamespace;
        this.port = port;
        this.listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "jmx-bridge");
        accept.setDaemon(true);
        accept.start();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket local = listener.accept();
                Socket remote = connectInAgentNamespace();
                pump(local.getInputStream(), remote.getOutputStream(), local, remote);
                pump(remote.getInputStream(), local.getOutputStream(), local, remote);
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    System.err.println("jmx bridge: " + e);
                }
            }
        }
    }

    /** A socket connected to 127.0.0.1:PORT in the agent's namespace; this thread returns to its own after. */
    private Socket connectInAgentNamespace() throws IOException {
        int own = LibC.INSTANCE.open("/proc/thread-self/ns/net", 0);
        int agent = LibC.INSTANCE.open(agentNamespace.toString(), 0);
        try {
            LibC.INSTANCE.setns(agent, CLONE_NEWNET);
            try {
                return new Socket(InetAddress.getLoopbackAddress(), port);
            } finally {
                LibC.INSTANCE.setns(own, CLONE_NEWNET);
            }
        } finally {
            LibC.INSTANCE.close(agent);
            LibC.INSTANCE.close(own);
        }
    }

    private static void pump(InputStream in, OutputStream out, Socket a, Socket b) {
        Thread thread = new Thread(() -> {
            try (a; b) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side closed: both close
            }
        }, "jmx-bridge-pump");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
