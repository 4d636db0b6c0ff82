package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.ChangeState;
import org.renumber.testing.InMemoryKernel;
import org.renumber.testing.InMemoryNetwork;

/**
 * The new address of an accepted change is reserved until the change ends, on every interface, across restarts
 * (issue 13, item 2): a second claim is refused naming the change that holds it.
 */
class ReservationTest {

    private final InMemoryKernel kernel = new InMemoryKernel(new InMemoryNetwork()
            .withInterface("v0", "10.9.0.1/24").withInterface("v1", "10.9.0.100/24"));
    private AddressChangeService service = kernel.startService(event -> { });

    @BeforeEach
    void subscribe() {
        // A target that never says ready keeps a scheduled change in WARNING.
        service.subscribers().subscribe("app", "", "");
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void thePendingNewAddressOfAChangeInWarningIsRefusedOnAnotherInterfaceNamingTheChange() throws Exception {
        String holder = service.scheduleChange("v0", "10.9.0.1", "10.9.0.50/24", "", 60, 3600);
        await().until(() -> service.change(holder).orElseThrow().progress().state() == ChangeState.WARNING);

        assertThatThrownBy(() -> service.changeAddress("v1", "10.9.0.100", "10.9.0.50/24", "", 60))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("new address 10.9.0.50 is reserved by change " + holder)
                .hasMessageContaining("WARNING on v0");
        assertThat(kernel.network.addresses("v1")).extracting(Object::toString).containsExactly("10.9.0.100/24");

        service.cancelChange(holder);
        await().until(() -> service.change(holder).orElseThrow().progress().state().isFinal());
        String next = service.changeAddress("v1", "10.9.0.100", "10.9.0.50/24", "", 60);
        assertThat(next).isNotEqualTo(holder);
    }

    @Test
    void aRestartKeepsTheReservation() {
        String holder = service.scheduleChange("v0", "10.9.0.1", "10.9.0.50/24", "", 60, 3600);
        await().until(() -> service.change(holder).orElseThrow().progress().state() == ChangeState.WARNING);
        service.close();
        service = kernel.startService(event -> { });
        await().until(() -> service.change(holder).map(c -> c.progress().state() == ChangeState.WARNING).orElse(false));

        assertThatThrownBy(() -> service.changeAddress("v1", "10.9.0.100", "10.9.0.50", "", 60))
                .hasMessageContaining("reserved by change " + holder);
    }

    @Test
    void twoClaimsSentAtTheSameMomentOnTwoInterfacesAcceptOnlyOne() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int attempt = 0; attempt < 20; attempt++) {
                String fresh = "10.9.0." + (150 + attempt) + "/24";
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> claims = new ArrayList<>();
                for (String[] side : new String[][] {{"v0", "10.9.0.1"}, {"v1", "10.9.0.100"}}) {
                    Callable<String> claim = () -> {
                        go.await();
                        return service.scheduleChange(side[0], side[1], fresh, "", 60, 3600);
                    };
                    claims.add(pool.submit(claim));
                }
                go.countDown();
                List<String> accepted = new ArrayList<>();
                List<Throwable> refused = new ArrayList<>();
                for (Future<String> claim : claims) {
                    try {
                        accepted.add(claim.get());
                    } catch (java.util.concurrent.ExecutionException e) {
                        refused.add(e.getCause());
                    }
                }
                assertThat(accepted).as("attempt " + attempt).hasSize(1);
                assertThat(refused).singleElement().satisfies(e -> assertThat(e).hasMessageContaining(
                        "reserved by change " + accepted.get(0)));
                service.cancelChange(accepted.get(0));
                await().until(() -> service.change(accepted.get(0)).orElseThrow().progress().state().isFinal());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
