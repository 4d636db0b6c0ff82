package org.renumber.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.TimeValue;
import org.renumber.client.AddressChangeClient;
import org.renumber.client.AddressChangeHandler;

import org.renumber.httpclients.ApacheHttpClientEviction;
import org.renumber.httpclients.JdkHttpClientSwap;
import org.renumber.httpclients.OkHttpEviction;

/**
 * The clients of {@link ReactionsThroughAgentIT}, a process of their own inside the agent's namespace: real
 * OkHttp, Apache HttpClient 5 and {@code java.net.http} clients, each with its eviction reaction subscribed to the
 * agent, send GET and POST requests (alternately, two threads per client and URL) until the stop file appears,
 * then print one {@code RESULT client url ok failed fromNew firstError} line per pair and {@code DONE}.
 * Every client resolves the service's name from a hosts file that the agent's pre-started hook rewrites (the JDK
 * client through {@code -Djdk.net.hosts.file}), with no cache.
 *
 * The process runs in a namespace of its own, as clients on another node do; it reaches the agent's JMX connector
 * in the server's namespace through a {@link JmxBridge}.
 *
 * <pre>ReactionClients JMX_URL USER PASSWORD_FILE HOSTS_FILE STOP_FILE NEW_ADDRESS AGENT_NETNS_FILE URL...</pre>
 */
public final class ReactionClients {

    private static final String POST_BODY = "x".repeat(512);

    private record Pair(String client, String url, AtomicLong ok, AtomicLong failed, AtomicLong fromNew,
            AtomicReference<String> firstError, java.util.Map<String, AtomicLong> errors) {
        Pair(String client, String url) {
            this(client, url, new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicReference<>("-"),
                    new java.util.concurrent.ConcurrentHashMap<>());
        }
    }

    @FunctionalInterface
    private interface Send {
        /** Sends one request; returns the body of a 200 answer, throws on anything else. */
        String send(String url, boolean post) throws Exception;
    }

    private ReactionClients() {
    }

    public static void main(String[] args) throws Exception {
        // Before any lookup: a name that now points elsewhere is looked up again (README, the JDK's DNS cache).
        Security.setProperty("networkaddress.cache.ttl", "0");
        String jmxUrl = args[0];
        String user = args[1];
        String password = Files.readAllLines(Path.of(args[2])).get(0).strip();
        Path hosts = Path.of(args[3]);
        Path stopFile = Path.of(args[4]);
        String newAddress = args[5];
        Path agentNamespace = Path.of(args[6]);
        List<String> urls = List.of(args).subList(7, args.length);
        int jmxPort = Integer.parseInt(jmxUrl.replaceAll(".*rmi://[^:/]*:([0-9]+)/.*", "$1"));

        ConnectionPool okPool = new ConnectionPool();
        OkHttpClient ok = new OkHttpClient.Builder().connectionPool(okPool).dns(host -> List.of(resolve(hosts, host)))
                .build();
        PoolingHttpClientConnectionManager apachePool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new SystemDefaultDnsResolver() {
                    @Override
                    public InetAddress[] resolve(String host) throws UnknownHostException {
                        return new InetAddress[] {ReactionClients.resolve(hosts, host)};
                    }
                })
                // A pooled connection is checked before it is reused, as OkHttp checks one before a POST: a server that
                // drains closes its idle keep-alive connections (the JDK's HttpServer.stop does it as soon as no exchange
                // is in flight), maybe before this client hears `started`, and a POST sent on a closed one is reset,
                // never retried (README, Apache HttpClient 5 row).
                .setDefaultConnectionConfig(ConnectionConfig.custom().setValidateAfterInactivity(TimeValue.ZERO_MILLISECONDS)
                        .build())
                .setMaxConnPerRoute(8).build();
        // Java 17's client (17.0.15 here) fails a request in flight on a graceful HTTP/2 GOAWAY, and may hang one,
        // so against an h2c server it must stay on HTTP/1.1 (README); Java 25's client passes with HTTP/2.
        JdkHttpClientSwap jdk = new JdkHttpClientSwap(Runtime.version().feature() < 25
                ? () -> HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                : HttpClient::newHttpClient);
        try (JmxBridge bridge = new JmxBridge(agentNamespace, jmxPort);
                OkHttpEviction okEviction = new OkHttpEviction(okPool);
                ApacheHttpClientEviction apacheEviction = new ApacheHttpClientEviction(apachePool);
                CloseableHttpClient apache = HttpClients.custom().setConnectionManager(apachePool)
                        .setConnectionReuseStrategy(apacheEviction.reuseStrategy()).build();
                AddressChangeClient agent = AddressChangeClient.builder(jmxUrl).credentials(user, password).connect();
                AddressChangeClient.Subscription subscription = agent.subscribe("reaction-clients", "", "",
                        AddressChangeHandler.all(okEviction, apacheEviction, jdk))) {
            List<Pair> pairs = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch firstAnswers = new CountDownLatch(urls.size() * 3);
            for (String url : urls) {
                run(pairs, threads, firstAnswers, stopFile, newAddress, new Pair("okhttp", url),
                        (u, post) -> okHttp(ok, u, post));
                run(pairs, threads, firstAnswers, stopFile, newAddress, new Pair("apache", url),
                        (u, post) -> apache(apache, u, post));
                run(pairs, threads, firstAnswers, stopFile, newAddress, new Pair("jdk", url),
                        (u, post) -> jdk(jdk.current(), u, post));
            }
            if (firstAnswers.await(60, TimeUnit.SECONDS)) {
                System.out.println("READY");
                System.out.flush();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            for (Pair p : pairs) {
                System.out.println("RESULT " + p.client() + " " + p.url() + " " + p.ok() + " " + p.failed() + " "
                        + p.fromNew() + " " + p.firstError().get().replace('\n', ' '));
                p.errors().forEach((k, v) -> System.out.println("  ERRORS " + v + " x " + k));
            }
            System.out.println("DONE");
            System.out.flush();
        } finally {
            ok.dispatcher().executorService().shutdown();
            ok.connectionPool().evictAll();
        }
    }

    /** Two threads for one client and URL, alternating GET and POST until the stop file appears. */
    private static void run(List<Pair> pairs, List<Thread> threads, CountDownLatch firstAnswers, Path stopFile,
            String newAddress, Pair pair, Send send) {
        pairs.add(pair);
        AtomicLong first = new AtomicLong();
        for (int t = 0; t < 2; t++) {
            Thread thread = new Thread(() -> {
                boolean post = false;
                while (!Files.exists(stopFile)) {
                    try {
                        String body = send.send(pair.url(), post);
                        pair.ok().incrementAndGet();
                        if (body.contains(newAddress + "\n")) {
                            pair.fromNew().incrementAndGet();
                        }
                        if (first.getAndIncrement() == 0) {
                            firstAnswers.countDown();
                        }
                    } catch (Exception e) {
                        pair.failed().incrementAndGet();
                        pair.firstError().compareAndSet("-", (post ? "POST " : "GET ") + e);
                        pair.errors().computeIfAbsent((post ? "POST " : "GET ") + e.getClass().getSimpleName() + ": "
                                + e.getMessage(), k -> new AtomicLong()).incrementAndGet();
                        System.err.println(java.time.Instant.now() + " " + pair.client() + " " + pair.url() + " "
                                + (post ? "POST " : "GET ") + e);
                    }
                    post = !post;
                    try {
                        Thread.sleep(40);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, pair.client() + "-" + t);
            threads.add(thread);
            thread.start();
        }
    }

    private static String okHttp(OkHttpClient client, String url, boolean post) throws IOException {
        okhttp3.Request.Builder request = new okhttp3.Request.Builder().url(url);
        if (post) {
            request.post(RequestBody.create(POST_BODY, MediaType.get("text/plain")));
        }
        try (okhttp3.Response response = client.newCall(request.build()).execute()) {
            return checked(response.code(), response.body().string());
        }
    }

    private static String apache(CloseableHttpClient client, String url, boolean post) throws IOException {
        HttpUriRequestBase request = post ? new HttpPost(url) : new HttpGet(url);
        if (post) {
            request.setEntity(new StringEntity(POST_BODY, ContentType.TEXT_PLAIN));
        }
        return client.execute(request, r -> checked(r.getCode(), EntityUtils.toString(r.getEntity())));
    }

    private static String jdk(HttpClient client, String url, boolean post) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (post) {
            request.POST(HttpRequest.BodyPublishers.ofString(POST_BODY));
        }
        HttpResponse<String> response = client.send(request.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return checked(response.statusCode(), response.body());
    }

    private static String checked(int status, String body) throws IOException {
        if (status != 200) {
            throw new IOException("HTTP " + status);
        }
        return body;
    }

    /** The hosts file's answer for {@code host}, read at every lookup (the hook rewrites it). */
    static InetAddress resolve(Path hosts, String host) throws UnknownHostException {
        try {
            for (String line : Files.readAllLines(hosts)) {
                String[] f = line.strip().split("\\s+");
                if (f.length >= 2 && f[1].equals(host)) {
                    return InetAddress.getByName(f[0]);
                }
            }
        } catch (IOException e) {
            throw new UnknownHostException(host + ": " + e.getMessage());
        }
        throw new UnknownHostException(host);
    }
}
