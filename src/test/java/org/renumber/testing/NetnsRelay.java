package org.renumber.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.renumber.linux.LinuxNetns;

/**
 * Makes the agent's loopback JMX connector reachable from inside a test namespace: listens on
 * {@code 127.0.0.1:PORT} in the namespace and forwards every connection to {@code 127.0.0.1:PORT} where the test
 * JVM (and the in-process agent) runs. The same port on both sides matters: the RMI stubs the connector hands
 * out name {@code 127.0.0.1:PORT}, so an application in the namespace calls back through the relay too.
 *
 * <p>Deployed, an application and the agent share a namespace (or the connector listens where applications
 * can reach it); only the tests run the agent outside the namespace it manages.
 */
public final class NetnsRelay implements AutoCloseable {

    private final ServerSocketChannel listener;
    private final int port;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();

    private NetnsRelay(ServerSocketChannel listener, int port) {
        this.listener = listener;
        this.port = port;
    }

    public static NetnsRelay start(String netns, int port) {
        ServerSocketChannel listener;
        try (LinuxNetns inside = LinuxNetns.open(netns)) {
            // A socket belongs to the namespace of the thread that creates it, whatever thread uses it later.
            listener = inside.call(() -> ServerSocketChannel.open()
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
        }
        NetnsRelay relay = new NetnsRelay(listener, port);
        daemon("relay-accept-" + port, relay::accept);
        return relay;
    }

    private void accept() {
        while (listener.isOpen()) {
            SocketChannel inside;
            try {
                inside = listener.accept();
            } catch (IOException e) {
                return;
            }
            try {
                SocketChannel outside = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                open.add(inside);
                open.add(outside);
                daemon("relay-in-" + port, () -> pump(inside, outside));
                daemon("relay-out-" + port, () -> pump(outside, inside));
            } catch (IOException e) {
                close(inside); // the agent is down: the client sees the connection end and retries
            }
        }
    }

    private static void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // either side went away
        }
        close(from);
        close(to);
    }

    private static void close(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        open.forEach(NetnsRelay::close);
    }
}
