package org.renumber.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.renumber.linux.LinuxNetns;

/**
 * Connections to a server on A's address whose server side the application has closed while the peer cannot
 * acknowledge: B's end of the veth is down, so the kernel in A keeps retransmitting from that address. Half the
 * connections were closed by the client first (the server's close leaves them in LAST_ACK), the other half were
 * closed by the server with data still unsent (FIN_WAIT1 with a send queue). {@link #peerBack()} brings the link up:
 * the peer acknowledges, and the kernel lets the sockets go.
 */
public final class UnacknowledgedClose implements AutoCloseable {

    /** Data the application wrote that the peer has not acknowledged: it fits the send buffer at once. */
    private static final int UNSENT_BYTES = 8 * 1024;

    private final NetNsFixture net;
    private final ServerSocket server;
    private final List<Socket> clients = new ArrayList<>();

    private UnacknowledgedClose(NetNsFixture net, ServerSocket server) {
        this.net = net;
        this.server = server;
    }

    /** {@code count} connections from B to A's address {@code address}:{@code port}, left as described above. */
    public static UnacknowledgedClose start(NetNsFixture net, LinuxNetns a, LinuxNetns b, String address, int port,
                                            int count) throws IOException {
        InetAddress local = InetAddress.getByName(address);
        ServerSocket server = a.call(() -> new ServerSocket(port, count, local)); // bound, so created, on A's thread
        UnacknowledgedClose connections = new UnacknowledgedClose(net, server);
        try {
            List<Socket> accepted = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                // Connected on B's thread: Java creates the socket's descriptor only then, and it is B's.
                Socket client = b.call(() -> {
                    Socket socket = new Socket();
                    socket.connect(new InetSocketAddress(local, port), 10_000);
                    return socket;
                });
                connections.clients.add(client);
                accepted.add(server.accept());
            }
            int half = count / 2;
            for (int i = 0; i < half; i++) {
                connections.clients.get(i).close(); // FIN from B: A's end goes to CLOSE_WAIT
                accepted.get(i).getInputStream().read(); // that FIN has arrived (read answers -1)
            }
            net.ip(net.b(), "link", "set", NetNsFixture.IF_B, "down");
            for (int i = 0; i < count; i++) {
                Socket socket = accepted.get(i);
                if (i >= half) {
                    socket.getOutputStream().write(new byte[UNSENT_BYTES]); // fits the send buffer: no wait
                }
                socket.close(); // orphaned: LAST_ACK (first half) or FIN_WAIT1 with data queued (second half)
            }
            return connections;
        } catch (IOException | RuntimeException e) {
            connections.close();
            throw e;
        }
    }

    /** B's end of the link comes back: the retransmitted FINs reach the peer, which acknowledges them. */
    public void peerBack() {
        net.ip(net.b(), "link", "set", NetNsFixture.IF_B, "up");
    }

    @Override
    public void close() {
        for (Socket client : clients) {
            try {
                client.close();
            } catch (IOException e) {
                // the namespace goes with the fixture anyway
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            // same
        }
    }
}
