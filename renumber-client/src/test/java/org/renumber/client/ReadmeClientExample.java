package org.renumber.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The README's client snippet ("Java applications: the client library") with the names it uses defined, so that it
 * compiles with the build; {@link ReadmeClientExampleTest} checks that the README still shows these lines.
 */
final class ReadmeClientExample {

    private ReadmeClientExample() {
    }

    static AddressChangeClient.Subscription subscribe(InetAddress address, String password) throws IOException {
        // README begin
        ListenerRebinder listeners = new ListenerRebinder();
        listeners.listen(new InetSocketAddress(address, 8080), 128, channel -> startAccepting(channel));
        // for each accepted connection:  listeners.track(connection, () -> !serving(connection));

        ReconnectReaction outbound = new ReconnectReaction();
        ReconnectReaction.Connection<SocketChannel> database =
                outbound.open(ReconnectReaction.socketChannel(new InetSocketAddress("10.77.0.2", 5432)));

        AddressChangeClient client = AddressChangeClient
                .builder("service:jmx:rmi:///jndi/rmi://127.0.0.1:9875/jmxrmi")
                .credentials("renumber", password)
                .connectionListener(new ConnectionListener() {
                    @Override public void reconnected() { System.out.println("renumber agent is back"); }
                })
                .connect();
        return client.subscribe("billing", "web", "", AddressChangeHandler.all(listeners, outbound,
                new AddressChangeHandler() {
                    @Override public void completed(AddressChangeEvent event) {
                        System.out.println("now on " + event.newAddress() + "; database via " + database.current());
                    }
                }));
        // README end
    }

    /** The application's own accept loop on a (re)bound listener. */
    private static void startAccepting(ServerSocketChannel channel) {
    }
}
