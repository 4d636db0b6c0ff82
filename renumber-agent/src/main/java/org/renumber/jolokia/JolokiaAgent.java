package org.renumber.jolokia;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.jolokia.core.api.LogHandler;
import org.jolokia.jvmagent.JolokiaServerConfig;
import org.jolokia.jvmagent.handler.JolokiaHttpHandler;
import org.jolokia.server.core.config.ConfigKey;
import org.jolokia.server.core.config.Configuration;
import org.jolokia.server.core.config.SystemPropertyMode;
import org.jolokia.server.core.restrictor.RestrictorFactory;
import org.jolokia.server.core.service.JolokiaServiceManagerFactory;
import org.jolokia.server.core.service.api.JolokiaContext;
import org.jolokia.server.core.service.api.JolokiaServiceManager;
import org.jolokia.server.core.service.api.Restrictor;
import org.jolokia.server.core.service.impl.ClasspathServiceCreator;
import org.renumber.console.ConsoleHandler;
import org.renumber.jmx.MBeanArguments;
import org.renumber.security.Credentials;
import org.renumber.security.LoginBackoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jolokia's JVM agent, embedded: the same request handling as {@code JolokiaServer}, served by an HTTP server
 * this class owns so that authentication cannot be bypassed.
 *
 * <p>Why not {@code JolokiaServer} itself (2.6.0): it serves two contexts, {@code <agentContext>} and
 * {@code <agentContext>/config}, and explicitly removes authentication from the second; since a POST request
 * carries its type in the JSON body, a POST to {@code /jolokia/config} runs any read or exec without
 * credentials. Given an existing HttpServer it does not even set up its authenticator. Here a single context,
 * {@code /}, carries a basic authenticator for the agent's {@link Credentials} ({@link BasicLogin}, with a
 * per-client back-off), so every path answers 401 without them; then {@link RequestGate} refuses browser requests
 * from other origins, answers OPTIONS, sends {@code awaitChange} to threads of its own and the rest of the agent
 * context to Jolokia's handler; everything else is 404. The HTTP threads are bounded ({@link RequestPools}).
 *
 * <p>Also enforced whatever {@code jolokia.properties} says: no multicast discovery, no JSR-160 proxy (both
 * services disabled), system properties and environment variables ignored ({@code jolokia.*},
 * {@code JOLOKIA_*} could otherwise widen the configuration), and an access policy that must exist — Jolokia
 * itself would allow everything when a {@code classpath:} policy is missing.
 */
public final class JolokiaAgent implements AutoCloseable {

    /** The access policy shipped in the jar, used unless {@code policyLocation} names another. */
    public static final String DEFAULT_POLICY = "classpath:/renumber-jolokia-access.xml";
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8778;
    public static final String DEFAULT_CONTEXT = "/jolokia";

    /** Services present in the agent jar that must not run: discovery (multicast) and the JSR-160 proxy. */
    static final List<String> DISABLED_SERVICES = List.of(
            "org.jolokia.service.jsr160.Jsr160RequestHandler",
            "org.jolokia.service.discovery.JolokiaDiscovery",
            "org.jolokia.service.discovery.DiscoveryMulticastResponder");

    private static final Map<String, String> DEFAULTS = Map.of(
            "host", DEFAULT_HOST,
            "port", Integer.toString(DEFAULT_PORT),
            ConfigKey.AGENT_CONTEXT.getKeyValue(), DEFAULT_CONTEXT,
            ConfigKey.REALM.getKeyValue(), "renumber",
            ConfigKey.POLICY_LOCATION.getKeyValue(), DEFAULT_POLICY,
            "executor", "fixed",
            "threadNr", Integer.toString(RequestPools.DEFAULT_WORKERS),
            // Jolokia cuts longer lists without saying so; the agent's lists (Subscribers) are whole or absent.
            ConfigKey.MAX_COLLECTION_SIZE.getKeyValue(), "0");

    private static final Logger log = LoggerFactory.getLogger(JolokiaAgent.class);

    private final HttpServer http;
    private final ExecutorService executor;
    private final ExecutorService waits;
    private final JolokiaServiceManager services;
    private final URI url;

    private JolokiaAgent(HttpServer http, ExecutorService executor, ExecutorService waits,
                         JolokiaServiceManager services, URI url) {
        this.http = http;
        this.executor = executor;
        this.waits = waits;
        this.services = services;
        this.url = url;
    }

    /**
     * Reads a {@code jolokia.properties} file. It may hold the password, so a file others can read is reported.
     */
    public static Map<String, String> readProperties(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            properties.load(reader);
        }
        Map<String, String> map = new HashMap<>();
        properties.stringPropertyNames().forEach(key -> map.put(key, properties.getProperty(key).strip()));
        if (map.containsKey("password")) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.OTHERS_READ)
                    || permissions.contains(PosixFilePermission.GROUP_READ)) {
                log.warn("{} holds the agent's password but can be read by other users; chmod 600 it", file);
            }
        }
        return map;
    }

    /**
     * Starts the agent. {@code properties} are Jolokia JVM agent options (as in {@code jolokia.properties});
     * {@code user} and {@code password} among them are ignored here: {@code credentials} decide who gets in.
     */
    public static JolokiaAgent start(Map<String, String> properties, Credentials credentials) throws IOException {
        return start(properties, credentials, new LoginBackoff(Clock.systemUTC()));
    }

    /** Starts the agent; failed logins count towards {@code backoff}, which the JMX connector may share. */
    public static JolokiaAgent start(Map<String, String> properties, Credentials credentials, LoginBackoff backoff)
            throws IOException {
        requireNonNull(credentials, "credentials");
        requireNonNull(backoff, "backoff");
        JolokiaServerConfig config;
        try {
            config = new JolokiaServerConfig(effective(properties), SystemPropertyMode.NEVER);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid number in the Jolokia properties: " + e.getMessage(), e);
        }
        Configuration jolokiaConfig = config.getJolokiaConfig();
        LogHandler logHandler = new Slf4jLogHandler();
        Restrictor restrictor = restrictor(jolokiaConfig, logHandler);

        String context = trimSlashes(config.getContextPath());
        InetSocketAddress listen = new InetSocketAddress(config.getAddress(), config.getPort());
        tuneHttpServer();
        HttpServer http;
        try {
            http = HttpServer.create(listen, config.getBacklog());
        } catch (BindException e) {
            throw new IOException("Jolokia cannot listen on " + listen + ": " + e.getMessage()
                    + " (set host and port in the Jolokia properties)", e);
        }
        ExecutorService executor = executor(config);
        ExecutorService waits = RequestPools.waits();
        JolokiaServiceManager services = JolokiaServiceManagerFactory.createJolokiaServiceManager(jolokiaConfig,
                logHandler, restrictor);
        try {
            services.addServices(new ClasspathServiceCreator(JolokiaHttpHandler.class.getClassLoader(), "services"));
            JolokiaContext jolokia = services.start();
            URI url = url(http.getAddress(), context);
            jolokia.getAgentDetails().updateAgentParameters(url.toString(), true);

            SameOrigin origins = SameOrigin.of(http.getAddress());
            HttpContext root = http.createContext("/", new ConsoleHandler(context, origins::refusal,
                    new RequestGate(context, new JolokiaHttpHandler(jolokia), origins, waits,
                            new MBeanArguments(ManagementFactory.getPlatformMBeanServer()))));
            root.setAuthenticator(new BasicLogin(jolokiaConfig.getConfig(ConfigKey.REALM), credentials, backoff));
            http.setExecutor(executor);
            http.start();
            log.info("Jolokia listening at {} (login required, policy {}, browser requests only from {})", url,
                    jolokiaConfig.getConfig(ConfigKey.POLICY_LOCATION), origins.origins());
            return new JolokiaAgent(http, executor, waits, services, url);
        } catch (RuntimeException e) {
            http.stop(0);
            services.stop();
            executor.shutdownNow();
            waits.shutdownNow();
            throw e;
        }
    }

    /** The agent URL, e.g. {@code http://127.0.0.1:8778/jolokia}. */
    public URI url() {
        return url;
    }

    /** Where the HTTP server listens (the actual port when port 0 was configured). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    @Override
    public void close() {
        http.stop(0);
        services.stop();
        executor.shutdownNow();
        waits.shutdownNow();
        log.info("Jolokia at {} stopped", url);
    }

    // The configuration Jolokia sees: defaults, then the file, then what this agent enforces.
    static Map<String, String> effective(Map<String, String> properties) {
        Map<String, String> config = new HashMap<>(DEFAULTS);
        config.putAll(properties);
        // Earlier shipped files said nrThreads, which Jolokia ignores (its key is threadNr).
        if (properties.containsKey("nrThreads") && !properties.containsKey("threadNr")) {
            config.put("threadNr", properties.get("nrThreads"));
        }
        config.remove("nrThreads");
        config.remove("user");
        config.remove("password");
        refuse(config, "protocol", "https", "https is not supported by the embedded agent; it listens on loopback "
                + "by default, put a TLS proxy in front for remote access");
        refuse(config, ConfigKey.DISCOVERY_ENABLED.getKeyValue(), "true", "discovery is always off");
        refuse(config, ConfigKey.DISCOVERY_AGENT_URL.getKeyValue(), null, "discovery is always off");
        refuse(config, ConfigKey.AUTH_CLASS.getKeyValue(), null, "authentication is always basic with the "
                + "agent's user and password");
        String authMode = config.getOrDefault(ConfigKey.AUTH_MODE.getKeyValue(), "basic");
        if (!"basic".equalsIgnoreCase(authMode)) {
            throw new IllegalArgumentException("jolokia property authMode=" + authMode
                    + " is not supported: authentication is always basic with the agent's user and password");
        }
        config.put(ConfigKey.DISCOVERY_ENABLED.getKeyValue(), "false");
        Set<String> disabled = new LinkedHashSet<>(DISABLED_SERVICES);
        String configured = config.get(ConfigKey.DISABLED_SERVICES.getKeyValue());
        if (configured != null && !configured.isBlank()) {
            for (String name : configured.split(",")) {
                disabled.add(name.strip());
            }
        }
        config.put(ConfigKey.DISABLED_SERVICES.getKeyValue(), String.join(",", disabled));
        return config;
    }

    private static void refuse(Map<String, String> config, String key, String badValue, String why) {
        String value = config.get(key);
        if (value != null && (badValue == null || badValue.equalsIgnoreCase(value))) {
            throw new IllegalArgumentException("jolokia property " + key + "=" + value + " is not supported: " + why);
        }
    }

    // A missing classpath policy makes Jolokia allow everything; here it stops the start instead.
    private static Restrictor restrictor(Configuration config, LogHandler logHandler) throws IOException {
        if (config.getConfig(ConfigKey.RESTRICTOR_CLASS) != null) {
            log.warn("Jolokia uses the custom restrictor {} instead of an access policy",
                    config.getConfig(ConfigKey.RESTRICTOR_CLASS));
            return RestrictorFactory.createRestrictor(config, logHandler);
        }
        String location = config.getConfig(ConfigKey.POLICY_LOCATION);
        Restrictor policy = RestrictorFactory.lookupPolicyRestrictor(location);
        if (policy == null) {
            throw new IOException("Jolokia access policy " + location + " not found; refusing to start without one");
        }
        return policy;
    }

    // The JDK server reads these once, when its first server is created, so they are set before that and only
    // where the operator has not set them on the command line. nodelay: without it, each answer on a kept-alive
    // connection waits ~40 ms for the client's delayed ACK (Nagle). maxReqTime: a client that opens a connection
    // and sends half a request holds a request worker; after this many seconds the server drops it.
    static void tuneHttpServer() {
        setUnlessSet("sun.net.httpserver.nodelay", "true");
        setUnlessSet("sun.net.httpserver.maxReqTime", Integer.toString(RequestPools.REQUEST_SECONDS));
    }

    private static void setUnlessSet(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    // Whatever the executor setting names, the workers are bounded (see RequestPools); "single" is refused since one
    // waiting request would stall every other client.
    private static ExecutorService executor(JolokiaServerConfig config) {
        if ("single".equalsIgnoreCase(config.getExecutor())) {
            throw new IllegalArgumentException("jolokia property executor=single is not supported: one request "
                    + "thread would stall every client behind one slow one; use executor=fixed with threadNr");
        }
        return RequestPools.workers(config.getThreadNamePrefix(), config.getThreadNr());
    }

    private static URI url(InetSocketAddress address, String context) {
        InetAddress host = address.getAddress();
        String literal = host.isAnyLocalAddress() ? DEFAULT_HOST : host.getHostAddress();
        if (literal.indexOf(':') >= 0) {
            literal = "[" + literal + "]";
        }
        return URI.create("http://" + literal + ":" + address.getPort() + context);
    }

    private static String trimSlashes(String context) {
        String trimmed = context == null ? "" : context.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.isEmpty() || trimmed.startsWith("/") ? trimmed : "/" + trimmed;
    }

    /** Jolokia's log lines go to slf4j under {@code org.jolokia}. */
    private static final class Slf4jLogHandler implements LogHandler {
        private static final Logger jolokiaLog = LoggerFactory.getLogger("org.jolokia");

        @Override
        public void debug(String message) {
            jolokiaLog.debug(message);
        }

        @Override
        public void info(String message) {
            jolokiaLog.info(message);
        }

        @Override
        public void error(String message, Throwable t) {
            jolokiaLog.error(message, t);
        }

        @Override
        public boolean isDebug() {
            return jolokiaLog.isDebugEnabled();
        }
    }
}
