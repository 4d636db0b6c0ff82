package org.renumber.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A separate-JVM application holding real TCP connections, driven line by line on stdin so a test can
 * start it inside a network namespace ({@code ip netns exec NS java ... TcpPeer ...}).
 *
 * <pre>
 * server ADDR PORT                  listen, accept and echo; prints "READY"
 * client SRC|any DST PORT COUNT     open COUNT connections; prints "CONNECTED n"
 * stdin: count | close | ping | sources | reconnect DST PORT | exit
 * </pre>
 * {@code reconnect} closes the client's connections and opens as many to DST PORT, as a client does when its
 * server went away and the name now resolves to the new address; prints "CONNECTED n".
 */
public final class TcpPeer {

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private boolean server;

    public static void main(String[] args) throws Exception {
        new TcpPeer().run(args);
    }

    private void run(String[] args) throws Exception {
        switch (args[0]) {
            case "server" -> serve(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
            case "client" -> connect(args[1], InetAddress.getByName(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("mode must be server or client: " + args[0]);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            switch (line.strip()) {
                case "count" -> say("COUNT " + sockets.stream().filter(s -> !s.isClosed()).count());
                case "close" -> {
                    for (Socket s : sockets) {
                        s.close();
                    }
                    say("CLOSED");
                }
                // The server's echo threads own the read side of its sockets; only a client can ping.
                case "ping" -> say(server ? "ERROR ping is a client command" : ping() ? "PONG ok" : "PONG failed");
                case "sources" -> say("SOURCES " + sockets.stream()
                        .map(s -> s.getLocalAddress().getHostAddress()).distinct().toList());
                case "exit" -> System.exit(0);
                default -> {
                    String[] words = line.strip().split("\\s+");
                    if (!server && words.length == 3 && words[0].equals("reconnect")) {
                        int count = sockets.size();
                        for (Socket s : sockets) {
                            s.close();
                        }
                        sockets.clear();
                        connect("any", InetAddress.getByName(words[1]), Integer.parseInt(words[2]), count);
                    } else {
                        say("ERROR unknown command " + line);
                    }
                }
            }
        }
        System.exit(0);
    }

    private void serve(InetAddress address, int port) throws IOException {
        server = true;
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(address, port), 1024);
        EchoServer.serveInBackground(server, sockets::add);
        say("READY");
    }

    private void connect(String source, InetAddress destination, int port, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            if (!"any".equals(source)) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            }
            socket.connect(new InetSocketAddress(destination, port), 5000);
            sockets.add(socket);
        }
        say("CONNECTED " + count);
    }

    private boolean ping() {
        try {
            for (Socket s : sockets) {
                s.setSoTimeout(5000);
                s.getOutputStream().write('x');
                s.getOutputStream().flush();
                if (s.getInputStream().read() != 'x') {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
