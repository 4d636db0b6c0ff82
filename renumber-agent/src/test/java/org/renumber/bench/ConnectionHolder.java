package org.renumber.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's background load: a small separate JVM, started inside the managed namespace, that opens
 * COUNT established TCP connections and holds them until its stdin closes.
 *
 * <pre>
 * ConnectionHolder DST_ADDR PORT[,PORT...] SRC_ADDR[,SRC_ADDR...] COUNT
 * stdout: "CONNECTED n ms" once every connection is established, or "ERROR text"
 * stdin:  closes (EOF) or "exit" -> the process exits and the kernel closes its sockets
 * </pre>
 *
 * <p>Connections are plain AF_INET, non-blocking, and spread round-robin over the source addresses (each
 * bound with port 0, so every source address offers the whole {@code ip_local_port_range}) and the
 * destination ports. At most {@value #IN_FLIGHT} handshakes are outstanding at a time so a burst of SYNs
 * never overflows the veth's backlog queue (which would cost a one-second SYN retransmission). One process
 * holds at most about 19,900 sockets: the open-file hard limit here is 20,000 and cannot be raised.
 */
public final class ConnectionHolder {

    static final int IN_FLIGHT = 512;
    private static final long DEADLINE_SECONDS = 300;

    private ConnectionHolder() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.out.println("ERROR usage: ConnectionHolder DST_ADDR PORT[,PORT...] SRC[,SRC...] COUNT");
            System.exit(2);
        }
        InetAddress destination = InetAddress.getByName(args[0]);
        String[] portTexts = args[1].split(",");
        int[] ports = new int[portTexts.length];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = Integer.parseInt(portTexts[i]);
        }
        String[] sourceTexts = args[2].split(",");
        InetAddress[] sources = new InetAddress[sourceTexts.length];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = InetAddress.getByName(sourceTexts[i]);
        }
        int count = Integer.parseInt(args[3]);

        List<SocketChannel> held;
        long start = System.nanoTime();
        try {
            held = connect(destination, ports, sources, count);
        } catch (IOException | RuntimeException e) {
            say("ERROR " + e);
            System.exit(1);
            return;
        }
        say("CONNECTED " + held.size() + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));

        // Hold until told to go; EOF means the benchmark went away, so never outlive it.
        InputStream in = System.in;
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                if ("exit".contentEquals(line)) {
                    break;
                }
                line.setLength(0);
            } else {
                line.append((char) c);
            }
        }
        System.exit(0);
    }

    private static List<SocketChannel> connect(InetAddress destination, int[] ports, InetAddress[] sources, int count)
            throws IOException {
        List<SocketChannel> held = new ArrayList<>(count);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        try (Selector selector = Selector.open()) {
            int started = 0;
            int inFlight = 0;
            while (held.size() < count) {
                while (inFlight < IN_FLIGHT && started < count) {
                    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.INET);
                    try {
                        channel.configureBlocking(false);
                        channel.bind(new InetSocketAddress(sources[started % sources.length], 0));
                        InetSocketAddress target = new InetSocketAddress(destination, ports[started % ports.length]);
                        if (channel.connect(target)) {
                            held.add(channel);
                        } else {
                            channel.register(selector, SelectionKey.OP_CONNECT);
                            inFlight++;
                        }
                    } catch (IOException | RuntimeException e) {
                        channel.close();
                        throw new IOException("connection " + started + " from "
                                + sources[started % sources.length].getHostAddress() + ": " + e, e);
                    }
                    started++;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("only " + held.size() + " of " + count + " connections established in "
                            + DEADLINE_SECONDS + " s");
                }
                selector.select(1000);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    SocketChannel channel = (SocketChannel) key.channel();
                    if (channel.finishConnect()) { // throws with the kernel's reason when the handshake failed
                        key.cancel();
                        held.add(channel);
                        inFlight--;
                    }
                }
            }
            selector.selectNow(); // flush the cancelled keys before the selector goes away
        }
        return held;
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
