package org.renumber.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A "legacy" server that knows nothing of Renumber: listens on ADDRESS:PORT until it is killed, echoes, prints
 * READY. {@code --ignore-term} makes it ignore SIGTERM, as a stuck server would. The marker argument only makes
 * its command line unique to one test.
 *
 * <pre>LegacyServer ADDRESS PORT MARKER [--ignore-term]</pre>
 */
public final class LegacyServer {

    public static void main(String[] args) throws Exception {
        if (args.length > 3 && args[3].equals("--ignore-term")) {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> System.out.println("ignoring SIGTERM"));
        }
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])), 128);
        System.out.println("READY");
        System.out.flush();
        EchoServer.serve(server, socket -> { });
    }
}
