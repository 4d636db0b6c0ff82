package org.renumber.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;

/**
 * The echo side of the test servers: every accepted connection gets a daemon thread that writes back each byte it
 * reads, so a client's one-byte ping proves the connection was accepted and still carries data. A connection is
 * closed only when its peer ends it (end-of-stream), so the peer sees a graceful close; one that fails (a reset)
 * is left open, which lets a test tell the two apart.
 */
public final class EchoServer {

    private EchoServer() {
    }

    /** Accepts on {@code server} until it is closed, on this thread; {@code accepted} sees each connection first. */
    public static void serve(ServerSocket server, Consumer<Socket> accepted) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            accepted.accept(socket);
            Thread echo = new Thread(() -> echo(socket), "echo-" + socket.getPort());
            echo.setDaemon(true);
            echo.start();
        }
    }

    /** {@link #serve} on a daemon thread. */
    public static void serveInBackground(ServerSocket server, Consumer<Socket> accepted) {
        Thread acceptor = new Thread(() -> serve(server, accepted), "echo-acceptor-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void echo(Socket socket) {
        try {
            var in = socket.getInputStream();
            var out = socket.getOutputStream();
            for (int b = in.read(); b >= 0; b = in.read()) {
                out.write(b);
                out.flush();
            }
            socket.close();
        } catch (IOException e) {
            // the peer went away; tests observe it through the socket table or their own client
        }
    }
}
