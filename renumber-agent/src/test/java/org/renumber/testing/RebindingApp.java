package org.renumber.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.renumber.client.AddressChangeClient;
import org.renumber.client.AddressChangeEvent;
import org.renumber.client.AddressChangeHandler;
import org.renumber.client.ConnectionListener;
import org.renumber.client.ListenerRebinder;

/**
 * A Java application that uses the client library the way its documentation shows, run in its own JVM inside a
 * namespace: an echo server whose listener {@link ListenerRebinder} moves, reporting on stdout what it is told.
 *
 * <pre>
 * RebindingApp JMX_URL SUBSCRIBER_ID GROUP ADDRESS PORT      (RENUMBER_USER / RENUMBER_PASSWORD in the environment)
 * stdout: READY, EVENT type changeId, LISTENING address:port, DISCONNECTED, RECONNECTED
 * stdin:  exit (or end of input)
 * </pre>
 */
public final class RebindingApp {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String subscriberId = args[1];
        String group = args[2];
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(args[3]), Integer.parseInt(args[4]));

        ListenerRebinder rebinder = new ListenerRebinder();
        rebinder.listen(address, 128, channel -> accept(channel, rebinder));
        AddressChangeHandler report = new AddressChangeHandler() {
            @Override
            public void started(AddressChangeEvent event) {
                say("EVENT started " + event.changeId());
                rebinder.listeners().forEach(l -> say("LISTENING " + l.address().getAddress().getHostAddress() + ":"
                        + l.address().getPort()));
            }

            @Override
            public void drained(AddressChangeEvent event) {
                say("EVENT drained " + event.changeId());
            }

            @Override
            public void completed(AddressChangeEvent event) {
                say("EVENT completed " + event.changeId());
            }

            @Override
            public void timedOut(AddressChangeEvent event) {
                say("EVENT timedOut " + event.changeId());
            }
        };
        try (AddressChangeClient client = AddressChangeClient.builder(url)
                .credentials(System.getenv("RENUMBER_USER"), System.getenv("RENUMBER_PASSWORD"))
                .reconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .heartbeat(Duration.ofMillis(500))
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void disconnected(Throwable cause) {
                        say("DISCONNECTED " + cause);
                    }

                    @Override
                    public void reconnected() {
                        say("RECONNECTED");
                    }
                })
                .connect()) {
            client.subscribe(subscriberId, group, "", AddressChangeHandler.all(rebinder, report));
            say("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.strip().equals("exit"); line = in.readLine()) {
                say("ERROR unknown command " + line);
            }
        }
        rebinder.close();
        System.exit(0);
    }

    private static void accept(ServerSocketChannel channel, ListenerRebinder rebinder) {
        daemon(() -> {
            while (channel.isOpen()) {
                try {
                    SocketChannel connection = channel.accept();
                    AtomicBoolean busy = new AtomicBoolean();
                    rebinder.track(connection, () -> !busy.get());
                    daemon(() -> echo(connection, busy));
                } catch (IOException e) {
                    return; // replaced by the rebinder
                }
            }
        });
    }

    private static void echo(SocketChannel connection, AtomicBoolean busy) {
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        try {
            while (connection.read(buffer) >= 0) {
                busy.set(true);
                buffer.flip();
                while (buffer.hasRemaining()) {
                    connection.write(buffer);
                }
                buffer.clear();
                busy.set(false);
            }
            connection.close();
        } catch (IOException e) {
            // closed by the rebinder
        }
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task);
        thread.setDaemon(true);
        thread.start();
    }
}
