package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.renumber.testing.NetNsFixture.IF_A;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.port.AddressEventSource;
import org.renumber.linux.LinuxNetns;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;

/** The rtnetlink address event source against the real kernel, in namespace A of a fresh fixture. */
@KernelTest
class RtnetlinkAddressEventsTest {

    private NetNsFixture fixture;
    private LinuxNetns netns;
    private final Recorder recorder = new Recorder();
    private final List<AutoCloseable> watches = new ArrayList<>();

    @BeforeEach
    void createNamespaces() {
        fixture = NetNsFixture.create("rn-test-mon-");
        netns = LinuxNetns.open(fixture.a());
    }

    @AfterEach
    void deleteNamespaces() throws Exception {
        for (AutoCloseable watch : watches) {
            watch.close();
        }
        try (NetNsFixture f = fixture; LinuxNetns n = netns) {
            // closed in reverse order, each even if another fails
        }
    }

    @Test
    void theSnapshotHasTheConfiguredAddressesWithInterfaceNames() {
        keep(new RtnetlinkAddressEvents(netns, Clock.systemUTC()).watch(recorder));

        assertThat(recorder.snapshot).extracting(ConfiguredAddress::describe)
                .contains("10.9.0.1/24", InterfaceAddress.parse("2001:db8:9::1/64").toString(), "127.0.0.1/8");
        assertThat(recorder.snapshot).filteredOn(a -> a.address().toString().equals("10.9.0.1/24"))
                .singleElement().extracting(ConfiguredAddress::interfaceName).isEqualTo(IF_A);
    }

    @Test
    void theIpSequenceArrivesInOrderWithLabelsAndSecondaryFlags() {
        keep(new RtnetlinkAddressEvents(netns, Clock.systemUTC()).watch(recorder));

        ip("addr", "del", "10.9.0.1/24", "dev", IF_A);
        ip("addr", "add", "10.9.1.1/24", "dev", IF_A);
        ip("addr", "add", "10.9.0.1/24", "dev", IF_A, "label", "v0:0");
        ip("addr", "add", "10.9.1.7/24", "dev", IF_A);
        ip("addr", "add", "2001:db8:9::100/64", "dev", IF_A); // with DAD: tentative, then an update
        ip("addr", "del", "10.9.1.7/24", "dev", IF_A);

        await().until(() -> recorder.described().contains("v0: 10.9.1.7/24 (secondary) removed"));
        await().until(() -> fixture.ipJson(fixture.a(), "-6", "addr", "show", "dev", IF_A, "tentative").path(0)
                .path("addr_info").isEmpty());
        ip("addr", "add", "10.9.5.5/24", "dev", IF_A); // a marker: everything before it has been read
        await().until(() -> recorder.described().contains("v0: 10.9.5.5/24 added"));

        assertThat(recorder.described()).containsExactly(
                "v0: 10.9.0.1/24 removed",
                "v0: 10.9.1.1/24 added",
                "v0: 10.9.0.1/24 (v0:0) added",
                "v0: 10.9.1.7/24 (secondary) added",
                "v0: " + InterfaceAddress.parse("2001:db8:9::100/64") + " added",
                "v0: 10.9.1.7/24 (secondary) removed",
                "v0: 10.9.5.5/24 added");
    }

    @Test
    void aRenamedInterfaceIsReportedUnderItsNewName() {
        keep(new RtnetlinkAddressEvents(netns, Clock.systemUTC()).watch(recorder));
        ip("addr", "add", "10.9.5.5/24", "dev", IF_A);
        await().until(() -> recorder.described().contains("v0: 10.9.5.5/24 added"));

        ip("link", "set", IF_A, "down");
        ip("link", "set", IF_A, "name", "eth7");
        ip("addr", "add", "10.9.6.6/24", "dev", "eth7");

        // The kernel renames the IPv4 labels with the link (inetdev_changename).
        await().untilAsserted(() -> assertThat(recorder.described()).contains("eth7: 10.9.6.6/24 added"));
    }

    @Test
    void eventsLostToAFullBufferAreRecoveredFromADump() throws Exception {
        RtnetlinkAddressEvents source = new RtnetlinkAddressEvents(netns, Clock.systemUTC());
        RtnetlinkAddressEvents.Reader reader = keep(source.open(recorder, 1)); // the kernel's minimum, a few KiB
        Path batch = Files.createTempFile("rn-addresses-", ".batch");
        try {
            StringBuilder commands = new StringBuilder("address del 10.9.0.1/24 dev v0\n");
            for (int i = 1; i <= 100; i++) {
                commands.append("address add 10.7.0.").append(i).append("/32 dev v0\n");
            }
            Files.writeString(batch, commands);
            ip("-batch", batch.toString());
        } finally {
            Files.deleteIfExists(batch);
        }

        reader.start();

        await().until(() -> recorder.described().stream().filter(e -> e.startsWith("v0: 10.7.0.")).count() == 100);
        assertThat(recorder.described()).contains("v0: 10.9.0.1/24 removed").doesNotHaveDuplicates();
        assertThat(recorder.described().indexOf("v0: 10.9.0.1/24 removed")).isZero();
    }

    @Test
    void closingStopsTheReader() {
        AddressEventSource.Watch watch = new RtnetlinkAddressEvents(netns, Clock.systemUTC()).watch(recorder);
        watch.close();
        watch.close();
        ip("addr", "add", "10.9.5.5/24", "dev", IF_A);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals(
                "renumber-monitor-events-" + fixture.a()));
        assertThat(recorder.events).isEmpty();
    }

    private <T extends AutoCloseable> T keep(T watch) {
        watches.add(watch);
        return watch;
    }

    private void ip(String... args) {
        fixture.ip(fixture.a(), args);
    }

    private static final class Recorder implements AddressEventSource.Sink {
        volatile List<ConfiguredAddress> snapshot = List.of();
        final List<AddressEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void snapshot(List<ConfiguredAddress> configured) {
            snapshot = configured;
        }

        @Override
        public void events(List<AddressEvent> batch) {
            events.addAll(batch);
        }

        /** The events without IPv6 link-local noise. */
        List<String> described() {
            return events.stream().filter(e -> !e.address().address().isLinkLocalAddress())
                    .map(AddressEvent::describe).toList();
        }
    }
}
