package org.renumber.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.renumber.client.AddressChangeClient;
import org.renumber.client.AddressChangeHandler;
import org.renumber.jdkhttpserver.JdkHttpServerRebinder;
import org.renumber.jetty.JettyRebinder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The example HTTP service: Jetty (HTTP/1.1 and h2c) on one address, subscribed to the agent with the client
 * library, moved by {@link JettyRebinder} when its address changes; or, with {@code --server jdk}, the JDK's own
 * HTTP server moved by {@link JdkHttpServerRebinder}. Prints {@code READY http://ADDR:PORT/} on
 * standard output once it serves and is subscribed; logs each move.
 */
@Command(name = "renumber-example-http", mixinStandardHelpOptions = true, version = "renumber-example-http 0.1.0",
        description = "An HTTP service that keeps answering while its node's address changes (GET / answers 200).")
public final class ExampleHttpService implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ExampleHttpService.class);
    private static final Pattern BIND = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+)):([0-9]{1,5})");

    @Option(names = "--bind", required = true, paramLabel = "ADDR:PORT",
            description = "Address literal and port to listen on, e.g. 10.77.0.1:8080 or [2001:db8::1]:8080.")
    String bind;

    @Option(names = "--jmx-url", required = true, paramLabel = "URL",
            description = "The agent's JMX service URL (the one it prints for applications in its namespace).")
    String jmxUrl;

    @Option(names = "--user", required = true, paramLabel = "NAME", description = "The agent's user.")
    String user;

    @Option(names = "--password-file", required = true, paramLabel = "FILE",
            description = "File whose first line is the agent's password.")
    Path passwordFile;

    @Option(names = "--subscriber-id", required = true, paramLabel = "ID",
            description = "This service's subscriber id at the agent.")
    String subscriberId;

    @Option(names = "--group", paramLabel = "NAME", defaultValue = "",
            description = "Subscriber group operators target with group:NAME. Default: none.")
    String group;

    @Option(names = "--break-delay", paramLabel = "MILLIS", defaultValue = "0",
            description = "How long the old address keeps accepting after the new one listens, for clients whose DNS "
                    + "answer still holds the old address. Default: ${DEFAULT-VALUE}.")
    long breakDelayMillis;

    /** Which HTTP server the service runs on. */
    enum ServerKind { jetty, jdk }

    @Option(names = "--server", paramLabel = "KIND", defaultValue = "jetty",
            description = "jetty (HTTP/1.1 and h2c, moved by renumber-jetty) or jdk (com.sun.net.httpserver, moved by "
                    + "renumber-jdk-httpserver). Default: ${DEFAULT-VALUE}.")
    ServerKind serverKind;

    public static void main(String[] args) {
        CommandLine line = new CommandLine(new ExampleHttpService());
        line.setExecutionExceptionHandler((e, failed, parsed) -> {
            if (!(e instanceof IllegalArgumentException)) {
                throw e;
            }
            failed.getErr().println(failed.getColorScheme().errorText(e.getMessage()));
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
        System.exit(line.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        InetSocketAddress address = parseBind(bind);
        if (breakDelayMillis < 0) {
            throw new IllegalArgumentException("--break-delay " + breakDelayMillis + " must be 0 or more milliseconds");
        }
        if (serverKind == ServerKind.jdk && breakDelayMillis != 0) {
            throw new IllegalArgumentException("--break-delay applies to --server jetty only");
        }
        String password = readPassword(passwordFile);
        return serverKind == ServerKind.jdk ? runJdk(address, password) : runJetty(address, password);
    }

    private int runJetty(InetSocketAddress address, String password) throws Exception {
        Server server = server(address);
        server.start();
        try (AddressChangeClient client = connect(password)) {
            client.subscribe(subscriberId, group, "", AddressChangeHandler.all(new JettyRebinder(server, JettyRebinder.copying(),
                    JettyRebinder.DEFAULT_IDLE_GRACE, Duration.ofMillis(breakDelayMillis)),
                    new MoveLog(() -> listening(server))));
            ServerConnector connector = (ServerConnector) server.getConnectors()[0];
            serve(address, connector.getLocalPort());
        } finally {
            server.stop();
        }
        return 0;
    }

    private int runJdk(InetSocketAddress address, String password) throws Exception {
        // The JDK server writes headers and body apart; without TCP_NODELAY each keep-alive answer waits for the
        // client's delayed ACK (~40 ms). Read once, before the first server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        ExecutorService handlers = Executors.newFixedThreadPool(16);
        try (JdkHttpServerRebinder servers = JdkHttpServerRebinder.start(server -> {
                    server.createContext("/", new JdkExampleHandler());
                    server.setExecutor(handlers);
                }, address);
                AddressChangeClient client = connect(password)) {
            client.subscribe(subscriberId, group, "", AddressChangeHandler.all(servers,
                    new MoveLog(() -> servers.addresses().stream().map(a -> a.getAddress().getHostAddress() + ":"
                            + a.getPort()).collect(Collectors.joining(", ")))));
            serve(address, servers.addresses().get(0).getPort());
        } finally {
            handlers.shutdownNow();
        }
        return 0;
    }

    /** Prints READY and waits for the JVM's shutdown. */
    private void serve(InetSocketAddress address, int port) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "example-http-shutdown"));
        log.info("{} serving on {}:{}, subscribed as {}", serverKind, address.getAddress().getHostAddress(), port,
                subscriberId);
        System.out.println("READY http://" + hostForUrl(address.getAddress()) + ":" + port + "/");
        System.out.flush();
        stopped.await();
    }

    private static String listening(Server server) {
        return Arrays.stream(server.getConnectors()).filter(NetworkConnector.class::isInstance)
                .map(NetworkConnector.class::cast).filter(NetworkConnector::isOpen)
                .map(c -> c.getHost() + ":" + c.getLocalPort()).collect(Collectors.joining(", "));
    }

    private AddressChangeClient connect(String password) throws IOException {
        try {
            return AddressChangeClient.builder(jmxUrl).credentials(user, password).connect();
        } catch (IOException e) {
            throw new IOException("cannot reach the agent at " + jmxUrl + " as " + user + ": " + e.getMessage(), e);
        }
    }

    /** Jetty with HTTP/1.1 and h2c (cleartext HTTP/2, by prior knowledge or upgrade) on {@code address}. */
    static Server server(InetSocketAddress address) {
        Server server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        config.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config),
                new HTTP2CServerConnectionFactory(config));
        connector.setHost(address.getAddress().getHostAddress());
        connector.setPort(address.getPort());
        server.addConnector(connector);
        server.setHandler(new ExampleHandler());
        // The service stops itself in call(); Jetty's own hook would race the client's close.
        server.setStopAtShutdown(false);
        return server;
    }

    /** {@code ADDR:PORT} with an address literal (never a name: no DNS at start-up) and a port 0-65535. */
    static InetSocketAddress parseBind(String value) {
        Matcher m = BIND.matcher(value == null ? "" : value.strip());
        String accepted = "; expected ADDR:PORT with an IPv4 literal or a bracketed IPv6 literal, e.g. 10.77.0.1:8080"
                + " or [2001:db8::1]:8080";
        if (!m.matches()) {
            throw new IllegalArgumentException("--bind '" + value + "' is not ADDR:PORT" + accepted);
        }
        int port = Integer.parseInt(m.group(3));
        if (port > 65535) {
            throw new IllegalArgumentException("--bind '" + value + "': port " + port + " is not 0-65535");
        }
        String literal = m.group(1) != null ? m.group(1) : m.group(2);
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (IOException e) {
            throw new IllegalArgumentException("--bind '" + value + "': '" + literal + "' is not an address" + accepted,
                    e);
        }
    }

    static String readPassword(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("--password-file " + file + " is not a readable file");
        }
        String password = Files.readAllLines(file).stream().findFirst().orElse("").strip();
        if (password.isEmpty()) {
            throw new IllegalArgumentException("--password-file " + file + " has no password on its first line");
        }
        return password;
    }

    static String hostForUrl(InetAddress address) {
        String literal = address.getHostAddress();
        return literal.contains(":") ? "[" + literal + "]" : literal;
    }
}
