package org.renumber.httpclients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real OkHttp, Apache HttpClient 5 and JDK clients against a real Jetty server that moves: after the move their
 * next requests succeed on the new address, and the pooled connection to the old one is gone well before the
 * server's own idle grace (30 s) would have closed it.
 */
class HttpClientReactionsTest {

    private static final int REQUESTS = 20;

    private final MovingServer server = new MovingServer();

    HttpClientReactionsTest() throws Exception {
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void okHttpEvictsThePooledConnectionAndTheNextRequestsGoToTheNewAddress() throws Exception {
        ConnectionPool pool = new ConnectionPool();
        OkHttpClient http = new OkHttpClient.Builder().connectionPool(pool)
                .dns(host -> List.of(server.resolve(host))).build();
        try (OkHttpEviction eviction = new OkHttpEviction(pool)) {
            assertEquals(MovingServer.OLD, okHttpGet(http));
            assertEquals(1, pool.idleConnectionCount());

            server.move(eviction);

            await().atMost(Duration.ofSeconds(10)).until(() -> pool.connectionCount() == 0);
            for (int i = 0; i < REQUESTS; i++) {
                assertEquals(MovingServer.NEW, okHttpGet(http));
            }
            server.rebinder.completed(MovingServer.event(org.renumber.client.AddressChangeEvent.Type.COMPLETED));
            eviction.completed(MovingServer.event(org.renumber.client.AddressChangeEvent.Type.COMPLETED));
            assertThat(eviction.isSweeping()).isFalse();
        } finally {
            http.dispatcher().executorService().shutdown();
        }
    }

    @Test
    void apacheHttpClientClosesTheIdleConnectionAndDoesNotReuseOnesToTheOldAddress() throws Exception {
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new org.apache.hc.client5.http.SystemDefaultDnsResolver() {
                    @Override
                    public InetAddress[] resolve(String host) throws java.net.UnknownHostException {
                        return new InetAddress[] {server.resolve(host)};
                    }
                }).build();
        try (ApacheHttpClientEviction eviction = new ApacheHttpClientEviction(pool);
                CloseableHttpClient http = HttpClients.custom().setConnectionManager(pool)
                        .setConnectionReuseStrategy(eviction.reuseStrategy()).build()) {
            assertEquals(MovingServer.OLD, http.execute(new HttpGet(server.url()), r -> EntityUtils.toString(r.getEntity())));
            assertEquals(1, pool.getTotalStats().getAvailable());

            server.move(eviction);

            await().atMost(Duration.ofSeconds(10)).until(() -> pool.getTotalStats().getAvailable() == 0);
            for (int i = 0; i < REQUESTS; i++) {
                assertEquals(MovingServer.NEW,
                        http.execute(new HttpGet(server.url()), r -> EntityUtils.toString(r.getEntity())));
            }
            assertThat(eviction.drainingAddress()).isEqualTo(InetAddress.getByName(MovingServer.OLD));
            eviction.completed(MovingServer.event(org.renumber.client.AddressChangeEvent.Type.COMPLETED));
            assertThat(eviction.drainingAddress()).isNull();
        }
    }

    @Test
    void theJdkClientIsReplacedSoNewRequestsOpenNewConnections() throws Exception {
        JdkHttpClientSwap swap = new JdkHttpClientSwap(HttpClient::newHttpClient);
        HttpClient before = swap.current();
        // java.net.http resolves with the system resolver only: the test addresses the server by the literal the
        // name would answer.
        assertEquals(MovingServer.OLD, jdkGet(swap.current(), MovingServer.OLD));

        server.move(swap);

        assertThat(swap.current()).isNotSameAs(before);
        for (int i = 0; i < REQUESTS; i++) {
            assertEquals(MovingServer.NEW, jdkGet(swap.current(), MovingServer.NEW));
        }
    }

    private String okHttpGet(OkHttpClient http) throws Exception {
        try (okhttp3.Response response = http.newCall(new okhttp3.Request.Builder().url(server.url()).build()).execute()) {
            assertEquals(200, response.code());
            return response.body().string();
        }
    }

    private String jdkGet(HttpClient http, String address) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://" + address + ":" + server.port + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }
}
