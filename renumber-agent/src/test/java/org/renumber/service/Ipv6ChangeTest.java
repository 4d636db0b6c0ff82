package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressState;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeState;
import org.renumber.domain.ChangeSteps;
import org.renumber.domain.EventType;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.NetworkException;
import org.renumber.domain.Outcome;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemoryTracker;
import org.renumber.testing.JournaledChanges;
import org.renumber.testing.RunningService;

/** IPv6 changes on the in-memory kernel: duplicate address detection, deprecation of the old address, validation. */
class Ipv6ChangeTest {

    private static final String OLD = "2001:db8:9::1";
    private static final String NEW = "2001:db8:9::5";
    private static final InterfaceAddress OLD_ADDRESS = InterfaceAddress.parse(OLD + "/64");
    private static final AddressLifetimes DEPRECATED = new AddressLifetimes(0, AddressLifetimes.FOREVER);

    private final RunningService running = new RunningService(new InMemoryNetwork()
            .withInterface("v0", "10.9.0.1/24", OLD + "/64", "fe80::1/64")
            .withInterface("v1", "2001:db8:20::1/64"));
    private final InMemoryNetwork network = running.network;
    private final InMemoryTracker tracker = running.tracker;
    private final InMemoryJournal journal = running.journal;
    private final List<ChangeEvent> events = running.events;
    private AddressChangeService service;

    @BeforeEach
    void start() {
        service = running.start();
    }

    @AfterEach
    void stop() {
        running.close();
    }

    @Test
    void startedIsSentOnlyOnceTheNewAddressIsUsableAndTheOldOneIsThenDeprecated() throws Exception {
        network.holdDad();
        tracker.setConnections(IpLiterals.parse(OLD), 1);
        String id = service.changeAddress("v0", OLD, NEW, "", 60);

        await().until(() -> network.state(NEW) == AddressState.TENTATIVE);
        assertEquals(ChangeState.ADDING, running.state(id));
        assertThat(events).as("nothing announced while DAD runs").isEmpty();
        assertThat(network.lifetimes(OLD)).as("old untouched while DAD runs").isEqualTo(AddressLifetimes.PERMANENT);

        network.completeDad(NEW);

        await().until(() -> running.state(id) == ChangeState.DRAINING);
        assertThat(running.types()).containsExactly(EventType.STARTED);
        assertThat(network.lifetimes(OLD)).as("deprecated: preferred 0, valid kept").isEqualTo(DEPRECATED);
        assertThat(service.change(id).orElseThrow().progress().steps().oldAddressLifetimes())
                .isEqualTo(AddressLifetimes.PERMANENT);

        tracker.setConnections(IpLiterals.parse(OLD), 0);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(running.types()).containsExactly(EventType.STARTED, EventType.DRAINED, EventType.COMPLETED);
        assertThat(network.addresses("v0")).extracting(Object::toString)
                .containsExactly("10.9.0.1/24", "fe80::1/64", "2001:db8:9::5/64");
    }

    @Test
    void aDuplicateOnTheLinkFailsTheChangeRemovesTheNewAddressAndLeavesTheOldUntouched() throws Exception {
        network.holdDad();
        String id = service.changeAddress("v0", OLD, NEW, "", 60);
        await().until(() -> network.state(NEW) == AddressState.TENTATIVE);

        network.failDad(NEW);

        assertEquals(ChangeState.FAILED, service.awaitChange(id, 10));
        Change change = service.change(id).orElseThrow();
        assertEquals(Outcome.FAILED, change.progress().outcome());
        assertThat(change.progress().error()).contains("duplicate address").contains("another node on the link of v0")
                .contains("already uses " + NEW);
        assertThat(running.types()).containsExactly(EventType.FAILED);
        assertThat(network.addresses("v0")).extracting(Object::toString)
                .containsExactly("10.9.0.1/24", OLD + "/64", "fe80::1/64");
        assertThat(network.lifetimes(OLD)).isEqualTo(AddressLifetimes.PERMANENT);
    }

    @Test
    void anAddressThatStaysTentativeFailsTheChangeInsteadOfBeingAnnounced() throws Exception {
        network.holdDad().dadTimesOut();
        String id = service.changeAddress("v0", OLD, NEW, "", 60);

        assertEquals(ChangeState.FAILED, service.awaitChange(id, 10));
        assertThat(service.change(id).orElseThrow().progress().error()).contains("still tentative")
                .contains("duplicate address detection did not finish");
        assertThat(running.types()).containsExactly(EventType.FAILED);
        assertThat(network.addresses("v0")).extracting(Object::toString).doesNotContain(NEW + "/64");
    }

    @Test
    void cancelWhileDadRunsRemovesTheNewAddressWithoutAnnouncingIt() throws Exception {
        network.holdDad();
        String id = service.changeAddress("v0", OLD, NEW, "", 60);
        await().until(() -> network.state(NEW) == AddressState.TENTATIVE);

        service.cancelChange(id);

        assertEquals(ChangeState.CANCELLED, running.state(id));
        assertThat(running.types()).containsExactly(EventType.CANCELLED);
        assertEquals(AddressState.ABSENT, network.state(NEW));
        assertThat(network.lifetimes(OLD)).isEqualTo(AddressLifetimes.PERMANENT);
    }

    @Test
    void cancelWhileDrainingGivesTheOldAddressItsLifetimesBack() throws Exception {
        network.setLifetimes("v0", OLD_ADDRESS, new AddressLifetimes(1800, 3600));
        tracker.setConnections(IpLiterals.parse(OLD), 1);
        String id = service.changeAddress("v0", OLD, NEW, "", 60);
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        assertThat(network.lifetimes(OLD)).isEqualTo(new AddressLifetimes(0, 3600));

        service.cancelChange(id);

        assertEquals(ChangeState.CANCELLED, running.state(id));
        assertThat(network.lifetimes(OLD)).isEqualTo(new AddressLifetimes(1800, 3600));
        assertEquals(AddressState.ABSENT, network.state(NEW));
    }

    @Test
    void aFailedDeprecationFailsTheChangeAndRollsBack() throws Exception {
        network.failNext("setLifetimes", new NetworkException("set lifetimes: Operation not permitted", 1));
        String id = service.changeAddress("v0", OLD, NEW, "", 60);

        assertEquals(ChangeState.FAILED, service.awaitChange(id, 10));
        assertThat(service.change(id).orElseThrow().progress().error()).contains("could not steer new connections")
                .contains("Operation not permitted");
        assertThat(running.types()).containsExactly(EventType.FAILED);
        assertEquals(AddressState.ABSENT, network.state(NEW));
        assertThat(network.lifetimes(OLD)).isEqualTo(AddressLifetimes.PERMANENT);
    }

    @Test
    void uniqueLocalAndHostRouteAddressesAreAccepted() throws Exception {
        String ula = service.changeAddress("v0", OLD, "fd00:1:2::5/48", "", 5);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(ula, 10));
        String host = service.changeAddress("v0", "fd00:1:2::5", "2001:db8:30::1/128", "", 5);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(host, 10));
        assertThat(network.addresses("v0")).extracting(Object::toString).contains("2001:db8:30::1/128");
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "fe80::1          | 2001:db8:9::5/64   | link-local address (fe80::/10)",
        "2001:db8:9::1    | fe80::5/64         | link-local address (fe80::/10)",
        "2001:db8:9::1    | fec0::5/64         | neither a global unicast (2000::/3) nor a unique local (fc00::/7)",
        "2001:db8:9::1    | ff02::5/64         | multicast",
        "2001:db8:9::1    | ::1/128            | loopback",
        "2001:db8:9::1    | ::/64              | wildcard",
        "2001:db8:9::1    | 2001:db8:7::/64    | subnet-router anycast",
        "2001:db8:9::1    | 2001:db8:9::5/0    | prefix length 0",
        "2001:db8:9::1    | 2001:db8:9::5/129  | out of range",
        "2001:db8:9::1    | 10.9.1.1/24        | both must be of the same family",
        "10.9.0.1         | 2001:db8:9::5/64   | both must be of the same family",
        "2001:db8:9::1    | 2001:db8:20::1/64  | already configured on v1",
        "2001:db8:9::1/48 | 2001:db8:9::5/64   | does not match 2001:db8:9::1/64"
    })
    void unusableIpv6AddressesAreRefusedWithAClearMessage(String old, String fresh, String expected) {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> service.changeAddress("v0", old, fresh, "", 60));
        assertThat(e.getMessage()).contains(expected);
        assertThat(journal.changes()).isEmpty();
        assertThat(network.addresses("v0")).extracting(Object::toString)
                .containsExactly("10.9.0.1/24", OLD + "/64", "fe80::1/64");
    }

    @Test
    void aSlash127MayUseTheAddressWithAllHostBitsZero() throws Exception {
        String id = service.changeAddress("v0", OLD, "2001:db8:7::/127", "", 5);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
    }

    @Test
    void aRestartedAgentKeepsTheJournaledLifetimesAndRestoresThemOnCancel() throws Exception {
        network.setLifetimes("v0", OLD_ADDRESS, new AddressLifetimes(1800, 3600));
        tracker.setConnections(IpLiterals.parse(OLD), 1);
        String id = service.changeAddress("v0", OLD, NEW, "", 60);
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        service.close();

        service = running.start();
        await().until(() -> running.state(id) == ChangeState.DRAINING);
        assertThat(network.lifetimes(OLD)).isEqualTo(new AddressLifetimes(0, 3600));
        service.cancelChange(id);

        assertThat(network.lifetimes(OLD)).isEqualTo(new AddressLifetimes(1800, 3600));
    }

    @Test
    void aRollbackInterruptedByAKillStillUndoesTheDeprecation() throws Exception {
        service.close();
        network.addAddress("v0", InterfaceAddress.parse(NEW + "/64"));
        network.setLifetimes("v0", OLD_ADDRESS, DEPRECATED);
        ChangeSteps steps = ChangeSteps.NONE.withNewAddressAdded().withOldAddressDeprecated(AddressLifetimes.PERMANENT);
        ChangeRequest request =
                JournaledChanges.request("chg-crash", OLD_ADDRESS, InterfaceAddress.parse(NEW + "/64")).build();
        journal.saveChange(JournaledChanges.killedIn(request, ChangeState.DRAINING, steps, null)
                .rollingBack(Outcome.FAILED, "connection lost"));

        service = running.start();

        assertEquals(ChangeState.FAILED, service.awaitChange("chg-crash", 10));
        assertThat(network.lifetimes(OLD)).isEqualTo(AddressLifetimes.PERMANENT);
        assertEquals(AddressState.ABSENT, network.state(NEW));
    }
}
