package org.renumber.httpclients;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.renumber.client.AddressChangeEvent;
import org.renumber.client.AddressChangeEvent.Type;
import org.renumber.jetty.JettyRebinder;

/**
 * A real Jetty server on loopback that moves from {@link #OLD} to {@link #NEW} with {@link JettyRebinder} (idle
 * connections kept 30 s, so only a client-side eviction closes them early), and the name clients resolve: the
 * test's own DNS, switched before the move as an operator's pre-started hook does.
 */
final class MovingServer implements AutoCloseable {

    static final String OLD = "127.0.0.2";
    static final String NEW = "127.0.0.3";
    static final String NAME = "web.renumber.test";

    final Server server = new Server();
    final JettyRebinder rebinder = new JettyRebinder(server, JettyRebinder.copying(), Duration.ofSeconds(30),
            Duration.ZERO);
    final AtomicReference<String> dns = new AtomicReference<>(OLD);
    final int port;

    MovingServer() throws Exception {
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(OLD);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Sink.write(response, true, Request.getLocalAddr(request), callback);
                return true;
            }
        });
        server.start();
        port = connector.getLocalPort();
    }

    InetAddress resolve(String host) throws UnknownHostException {
        if (!host.equals(NAME)) {
            throw new UnknownHostException(host);
        }
        return InetAddress.getByName(dns.get());
    }

    String url() {
        return "http://" + NAME + ":" + port + "/";
    }

    /** The hook switches the name, then the agent tells the applications: here the server and {@code client}. */
    void move(org.renumber.client.AddressChangeHandler client) {
        dns.set(NEW);
        AddressChangeEvent started = event(Type.STARTED);
        rebinder.started(started);
        client.started(started);
    }

    static AddressChangeEvent event(Type type) {
        Instant now = Instant.now();
        return new AddressChangeEvent(type, type.wireName(), "c1", "lo", OLD + "/8", NEW + "/8", "DRAINING", 1, "", "",
                now, now.plusSeconds(60), type.name(), Map.of());
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
