package org.renumber.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.MonitorSettings;
import org.renumber.testing.MutableClock;

/**
 * The pattern detector on a hand-moved clock. Steps are written as the kernel reports them:
 * {@code "del 10.9.0.1/24 v0"}, {@code "add 10.9.0.1/24 v0:0"}, {@code "add 10.9.0.7/24 v0 secondary"}, optionally
 * prefixed with the interface ({@code "v1 add 10.9.1.1/24 v1"}).
 */
class RenumberingDetectorTest {

    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final String OLD = "10.9.0.1";
    private static final String NEW = "10.9.1.1";

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
    private final Map<InetAddress, Integer> connections = new HashMap<>();
    private final List<InetAddress> counted = new ArrayList<>();
    private final List<Duration> busyAskedFor = new ArrayList<>();
    private Set<InetAddress> busy = Set.of();
    /** Counts that a test answers later; the others are answered at once. */
    private final Map<InetAddress, CompletableFuture<Integer>> slowCounts = new HashMap<>();
    private final RenumberingDetector detector = new RenumberingDetector(WINDOW, MonitorSettings.DEFAULT_SETTLE, clock, address -> {
        counted.add(address);
        return slowCounts.getOrDefault(address, CompletableFuture.completedFuture(connections.getOrDefault(address, 0)));
    }, since -> {
        busyAskedFor.add(Duration.between(since, clock.instant()));
        return busy;
    });
    private final List<Finding> findings = new ArrayList<>();

    // --- the ip sequence, in every order ---

    @Test
    void ipSequenceIsDetectedOnceWithTheAliasAndTheNewAddress() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        assertThat(findings).isEmpty();
        clock.advanceMillis(1500);
        step("add 10.9.0.1/24 v0:0");
        Instant completing = clock.instant();

        assertThat(findings).singleElement().isEqualTo(new Renumbering("v0",
                new ConfiguredAddress("v0", InterfaceAddress.parse("10.9.0.1/24"), "v0:0", false),
                new ConfiguredAddress("v0", InterfaceAddress.parse("10.9.1.1/24"), "v0", false), completing));
        clock.advance(WINDOW.multipliedBy(2));
        findings.addAll(detector.tick());
        assertThat(findings).hasSize(1);
        assertThat(detector.pendingSteps()).isEmpty();
    }

    static Stream<Arguments> ordersOfTheThreeSteps() {
        return Stream.of(
                Arguments.of("remove, add new, re-add", List.of("del 10.9.0.1/24 v0", "add 10.9.1.1/24 v0",
                        "add 10.9.0.1/24 v0:0")),
                Arguments.of("add new, remove, re-add", List.of("add 10.9.1.1/24 v0", "del 10.9.0.1/24 v0",
                        "add 10.9.0.1/24 v0:0")),
                Arguments.of("remove, re-add, add new", List.of("del 10.9.0.1/24 v0", "add 10.9.0.1/24 v0:0",
                        "add 10.9.1.1/24 v0")),
                Arguments.of("alias first (other prefix), add new, remove", List.of("add 10.9.0.1/16 v0:0",
                        "add 10.9.1.1/24 v0", "del 10.9.0.1/24 v0")),
                Arguments.of("add new, alias first (other prefix), remove", List.of("add 10.9.1.1/24 v0",
                        "add 10.9.0.1/16 v0:0", "del 10.9.0.1/24 v0")),
                Arguments.of("alias first (other prefix), remove, add new", List.of("add 10.9.0.1/16 v0:0",
                        "del 10.9.0.1/24 v0", "add 10.9.1.1/24 v0")),
                Arguments.of("new address in the old subnet (promote_secondaries=1: no event for the promotion)",
                        List.of("add 10.9.0.7/24 v0 secondary", "del 10.9.0.1/24 v0",
                                "add 10.9.0.1/24 v0:0 secondary")),
                Arguments.of("new address in the old subnet, old kernel: promotion as delete and add",
                        List.of("add 10.9.0.7/24 v0 secondary", "del 10.9.0.1/24 v0|del 10.9.0.7/24 v0 secondary"
                                + "|add 10.9.0.7/24 v0", "add 10.9.0.1/24 v0:0 secondary")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ordersOfTheThreeSteps")
    void everyOrderOfTheThreeStepsIsDetectedExactlyOnceWhenTheLastOneArrives(String order, List<String> steps) {
        configured("10.9.0.1/24 v0");
        for (int i = 0; i < steps.size(); i++) {
            clock.advanceMillis(700);
            batch(steps.get(i).split("\\|"));
            assertThat(findings).as("after step " + (i + 1)).hasSize(i == steps.size() - 1 ? 1 : 0);
        }
        Renumbering found = (Renumbering) findings.get(0);
        assertEquals(IpLiterals.parse(OLD), found.oldAddress().address().address());
        assertEquals("v0:0", found.oldAddress().label());
        assertThat(found.newAddress().address().address().getHostAddress()).isIn(NEW, "10.9.0.7");
        assertEquals(clock.instant(), found.completedAt());
        for (String step : List.of("del 10.9.1.1/24 v0", "add 10.9.1.1/25 v0", "del 10.9.0.7/24 v0",
                "add 10.9.0.7/25 v0", "add 10.9.5.5/24 v0")) {
            step(step);
        }
        assertThat(findings).as("later changes of the same addresses").hasSize(1);
    }

    @Test
    void ipv6SequenceIsDetected() {
        configured("2001:db8:9::1/64 v0");
        step("del 2001:db8:9::1/64 v0");
        step("add 2001:db8:9::100/64 v0");
        step("add 2001:db8:9::100/64 v0"); // DAD finished: an update, not a step
        step("add 2001:db8:9::1/64 v0");

        assertThat(renumberings()).singleElement().satisfies(r -> {
            assertEquals(InterfaceAddress.parse("2001:db8:9::1/64"), r.oldAddress().address());
            assertEquals(InterfaceAddress.parse("2001:db8:9::100/64"), r.newAddress().address());
        });
    }

    @Test
    void ipv6LinkLocalAddressesAreNeverTheNewAddress() {
        configured("2001:db8:9::1/64 v0");
        step("del 2001:db8:9::1/64 v0");
        step("add fe80::1/64 v0");
        step("add 2001:db8:9::1/64 v0");
        assertThat(findings).isEmpty();
        assertThat(detector.pendingSteps()).noneMatch(line -> line.contains("fe80"));
    }

    // --- ifconfig ---

    @Test
    void ifconfigAddressAndNetmaskAreCoalescedIntoOneDetectionWithTheFinalPrefixes() {
        configured("10.9.0.1/24 v0");
        connections.put(IpLiterals.parse(OLD), 1);
        connections.put(IpLiterals.parse(NEW), 1);
        // ifconfig v0 10.9.1.1 netmask 255.255.255.0
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/8 v0");
        step("del 10.9.1.1/8 v0");
        step("add 10.9.1.1/24 v0");
        clock.advanceMillis(2000);
        // ifconfig v0:0 10.9.0.1 netmask 255.255.255.0
        step("add 10.9.0.1/8 v0:0");
        assertThat(findings).as("the alias has its classful prefix: a netmask may follow").isEmpty();
        step("del 10.9.0.1/8 v0:0");
        step("add 10.9.0.1/24 v0:0");

        assertThat(renumberings()).singleElement().satisfies(r -> {
            assertEquals("10.9.0.1/24", r.oldAddress().address().toString());
            assertEquals("v0:0", r.oldAddress().label());
            assertEquals("10.9.1.1/24", r.newAddress().address().toString());
        });
        clock.advance(WINDOW);
        findings.addAll(detector.tick());
        assertThat(findings).as("ifconfig's own delete-then-add pairs lose nothing").hasSize(1);
    }

    @Test
    void ifconfigStepsArrivingTogetherAreCoalescedToo() {
        configured("10.9.0.1/24 v0");
        batch("del 10.9.0.1/24 v0", "add 10.9.1.1/8 v0", "del 10.9.1.1/8 v0", "add 10.9.1.1/24 v0");
        batch("add 10.9.0.1/8 v0:0", "del 10.9.0.1/8 v0:0", "add 10.9.0.1/24 v0:0");

        assertThat(renumberings()).singleElement().satisfies(r -> {
            assertEquals("10.9.0.1/24", r.oldAddress().address().toString());
            assertEquals("10.9.1.1/24", r.newAddress().address().toString());
        });
    }

    @Test
    void ifconfigWithoutNetmaskIsDetectedWithTheClassfulPrefixOnceItSettled() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/8 v0");
        step("add 10.9.0.1/8 v0:0");
        Instant aliasAdded = clock.instant();
        assertThat(findings).isEmpty();
        assertThat(detector.nextDeadline()).contains(aliasAdded.plus(MonitorSettings.DEFAULT_SETTLE));

        clock.advance(MonitorSettings.DEFAULT_SETTLE.minusMillis(1));
        findings.addAll(detector.tick());
        assertThat(findings).isEmpty();
        clock.advanceMillis(1);
        findings.addAll(detector.tick());

        assertThat(renumberings()).singleElement().satisfies(r -> {
            assertEquals("10.9.0.1/8", r.oldAddress().address().toString());
            assertEquals("10.9.1.1/8", r.newAddress().address().toString());
            assertEquals(aliasAdded, r.completedAt());
        });
    }

    @Test
    void aPatternWithAClassfulPrefixWaitsTheConfiguredSettleTime() {
        detector.setSettle(Duration.ofSeconds(2));
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/8 v0");
        step("add 10.9.0.1/8 v0:0");
        Instant aliasAdded = clock.instant();
        assertThat(detector.nextDeadline()).contains(aliasAdded.plusSeconds(2));

        clock.advance(MonitorSettings.DEFAULT_SETTLE);
        findings.addAll(detector.tick());
        assertThat(findings).as("the default settle time has passed, the configured one has not").isEmpty();
        clock.advanceMillis(2000 - MonitorSettings.DEFAULT_SETTLE.toMillis());
        findings.addAll(detector.tick());
        assertThat(renumberings()).singleElement().satisfies(r -> assertEquals(aliasAdded, r.completedAt()));
    }

    @Test
    void aSettleTimeOfZeroDetectsAClassfulPatternAtOnce() {
        detector.setSettle(Duration.ZERO);
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/8 v0");
        step("add 10.9.0.1/8 v0:0");

        assertThat(renumberings()).singleElement().satisfies(r -> {
            assertEquals("10.9.0.1/8", r.oldAddress().address().toString());
            assertEquals("10.9.1.1/8", r.newAddress().address().toString());
        });
    }

    @Test
    void shorteningTheSettleTimeOfAWaitingPatternTakesEffectAtTheNextTick() {
        detector.setSettle(Duration.ofSeconds(5));
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/8 v0");
        step("add 10.9.0.1/8 v0:0");
        clock.advanceMillis(300);
        findings.addAll(detector.tick());
        assertThat(findings).isEmpty();

        detector.setSettle(Duration.ofMillis(100));
        findings.addAll(detector.tick());
        assertThat(renumberings()).hasSize(1);
    }

    @Test
    void aNegativeSettleTimeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> detector.setSettle(Duration.ofMillis(-1)));
        assertEquals(MonitorSettings.DEFAULT_SETTLE, detector.settle());
    }

    @Test
    void classfulPrefixesAreThoseOfTheOldClasses() {
        assertEquals(8, RenumberingDetector.classfulPrefix(IpLiterals.parse("10.1.2.3")));
        assertEquals(16, RenumberingDetector.classfulPrefix(IpLiterals.parse("172.16.0.1")));
        assertEquals(24, RenumberingDetector.classfulPrefix(IpLiterals.parse("192.168.1.1")));
        assertEquals(-1, RenumberingDetector.classfulPrefix(IpLiterals.parse("239.1.1.1")));
    }

    // --- a step missing or late ---

    @Test
    void withoutTheReAddNothingIsDetected() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        clock.advance(WINDOW.multipliedBy(3));
        findings.addAll(detector.tick());
        assertThat(findings).as("no connections: no loss either").isEmpty();
    }

    @Test
    void withoutANewAddressARelabelIsNotARenumbering() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.0.1/24 v0:0");
        clock.advance(WINDOW);
        findings.addAll(detector.tick());
        assertThat(findings).isEmpty();
    }

    @Test
    void withoutTheRemovalAnAliasAndANewAddressAreNotARenumbering() {
        configured("10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        step("add 10.9.0.1/16 v0:0");
        assertThat(findings).isEmpty();
    }

    @Test
    void aReAddAfterTheWindowIsNotDetected() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        clock.advance(WINDOW);
        step("add 10.9.0.1/24 v0:0");
        assertThat(findings).isEmpty();
    }

    @Test
    void aNewAddressAfterTheWindowIsNotDetected() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.0.1/24 v0:0");
        clock.advance(WINDOW.plusMillis(1));
        step("add 10.9.1.1/24 v0");
        assertThat(findings).isEmpty();
    }

    @Test
    void stepsJustInsideTheWindowAreDetected() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        clock.advance(WINDOW.minusMillis(21)); // the first step was 10 ms before the second, the last 10 ms later
        step("add 10.9.0.1/24 v0:0");
        assertThat(renumberings()).hasSize(1);
    }

    @Test
    void aShorterWindowAppliesToStepsAlreadySeen() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        clock.advanceMillis(2000);
        detector.setWindow(Duration.ofMillis(1500));
        findings.addAll(detector.tick());
        assertThat(detector.pendingSteps()).isEmpty();
        step("add 10.9.0.1/24 v0:0");
        assertThat(findings).isEmpty();
        assertThrows(IllegalArgumentException.class, () -> detector.setWindow(Duration.ZERO));
    }

    // --- what is not a renumbering ---

    @Test
    void unrelatedAddsAndRemovesAreNotDetected() {
        configured("10.9.0.1/24 v0", "10.9.0.50/24 v0 secondary");
        step("add 10.9.7.7/24 v0");
        step("del 10.9.0.50/24 v0 secondary");
        step("add 10.9.8.8/24 v0");
        step("del 10.9.8.8/24 v0");
        step("add 10.9.0.50/24 v0:1 secondary");
        assertThat(findings).isEmpty();
    }

    @Test
    void aSecondaryRemovedAndAddedAgainIsNotAnOldAddress() {
        configured("10.9.0.1/24 v0", "10.9.0.7/24 v0 secondary");
        // promote_secondaries=1 on an older kernel: the primary goes, the secondary is deleted and re-added
        batch("del 10.9.0.1/24 v0", "del 10.9.0.7/24 v0 secondary", "add 10.9.0.7/24 v0");
        step("add 10.9.1.1/24 v0");
        assertThat(findings).isEmpty();
    }

    @Test
    void aNewAddressTakenDownWithTheOldPrimaryIsNotARenumbering() {
        configured("10.9.0.1/24 v0");
        step("add 10.9.0.7/24 v0 secondary");
        // promote_secondaries=0: deleting the primary deletes the secondaries of its subnet
        batch("del 10.9.0.1/24 v0", "del 10.9.0.7/24 v0 secondary");
        step("add 10.9.0.1/24 v0:0");
        assertThat(findings).isEmpty();
    }

    @Test
    void stepsOnDifferentInterfacesDoNotMakeAPattern() {
        configured("10.9.0.1/24 v0", "10.20.0.1/24 v1");
        step("del 10.9.0.1/24 v0");
        step("v1 add 10.9.1.1/24 v1");
        step("add 10.9.0.1/24 v0:0");
        step("v1 del 10.20.0.1/24 v1");
        step("add 10.20.0.1/24 v0:1");
        assertThat(findings).isEmpty();
    }

    @Test
    void aNetmaskChangeOfThePrimaryIsNotARemoval() {
        configured("10.9.0.1/24 v0");
        // ifconfig v0 netmask 255.255.0.0, then an unrelated address
        batch("del 10.9.0.1/24 v0", "add 10.9.0.1/16 v0");
        step("add 10.9.1.1/24 v0");
        // the same by hand, in two commands
        step("del 10.9.0.1/16 v0");
        step("add 10.9.0.1/24 v0");
        assertThat(findings).isEmpty();
    }

    @Test
    void addressesOfDifferentFamiliesDoNotPair() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 2001:db8:1::1/64 v0");
        step("add 10.9.0.1/24 v0:0");
        assertThat(findings).isEmpty();
    }

    @Test
    void theAgentsOwnChangesAreIgnored() {
        configured("10.9.0.1/24 v0");
        busy = Set.of(IpLiterals.parse(OLD), IpLiterals.parse(NEW));
        step("add 10.9.1.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.0.1/24 v0:0");
        assertThat(findings).isEmpty();
        assertThat(detector.pendingSteps()).isEmpty();
        assertThat(busyAskedFor).as("changes that finished within the window count as the agent's").isNotEmpty()
                .containsOnly(WINDOW);
    }

    @Test
    void aChangeOfTheAgentStartingMidPatternStopsTheDetection() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        busy = Set.of(IpLiterals.parse(NEW));
        step("add 10.9.0.1/24 v0:0");
        assertThat(findings).isEmpty();
    }

    @Test
    void aSnapshotTellsWhichAddressesWereThereBefore() {
        configured("10.9.0.1/24 v0", "10.9.1.1/24 v0");
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/16 v0:1"); // an existing address with another prefix is not a new address
        step("add 10.9.0.1/24 v0:0");
        assertThat(findings).isEmpty();
    }

    // --- address lost ---

    @Test
    void anAddressRemovedUnderConnectionsIsReportedLostOnceWhenTheWindowPasses() {
        configured("10.9.0.1/24 v0");
        connections.put(IpLiterals.parse(OLD), 2);
        step("del 10.9.0.1/24 v0");
        Instant removedAt = clock.instant();
        assertThat(counted).as("counted right after the removal").containsExactly(IpLiterals.parse(OLD));
        connections.put(IpLiterals.parse(OLD), 0); // the broken sockets time out later; the count stands
        assertThat(detector.nextDeadline()).contains(removedAt.plus(WINDOW));

        clock.advance(WINDOW.minusMillis(1));
        findings.addAll(detector.tick());
        assertThat(findings).isEmpty();
        clock.advanceMillis(1);
        findings.addAll(detector.tick());
        clock.advance(WINDOW);
        findings.addAll(detector.tick());

        assertThat(findings).singleElement().isEqualTo(new AddressLoss("v0",
                new ConfiguredAddress("v0", InterfaceAddress.parse("10.9.0.1/24"), "v0", false), 2, removedAt));
        assertThat(counted).hasSize(1);
        assertThat(detector.nextDeadline()).isEmpty();
    }

    @Test
    void aCountStillRunningDoesNotHoldBackTheStepsAfterTheRemoval() {
        configured("10.9.0.1/24 v0");
        slowCounts.put(IpLiterals.parse(OLD), new CompletableFuture<>()); // a walk of a large table, never done here

        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        step("add 10.9.0.1/24 v0:0");

        assertThat(findings).singleElement().isInstanceOf(Renumbering.class);
        assertThat(counted).containsExactly(IpLiterals.parse(OLD));
    }

    @Test
    void aLossIsReportedWithTheCountStartedAtTheRemovalThatAnsweredLater() {
        configured("10.9.0.1/24 v0");
        CompletableFuture<Integer> count = new CompletableFuture<>();
        slowCounts.put(IpLiterals.parse(OLD), count);
        step("del 10.9.0.1/24 v0");
        Instant removedAt = clock.instant();
        assertThat(detector.pendingSteps()).anySatisfy(line -> assertThat(line).contains("(still counting)"));

        count.complete(4);
        clock.advance(WINDOW);
        findings.addAll(detector.tick());

        assertThat(findings).singleElement().isEqualTo(new AddressLoss("v0",
                new ConfiguredAddress("v0", InterfaceAddress.parse("10.9.0.1/24"), "v0", false), 4, removedAt));
    }

    @Test
    void aHandRenumberingWithoutAnAliasLosesTheOldAddressesConnections() {
        configured("10.9.0.1/24 v0");
        connections.put(IpLiterals.parse(OLD), 3);
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        clock.advance(WINDOW);
        findings.addAll(detector.tick());
        assertThat(findings).singleElement().isInstanceOfSatisfying(AddressLoss.class,
                loss -> assertEquals(3, loss.connections()));
    }

    @Test
    void anAddressConfiguredAgainWithinTheWindowIsNotLost() {
        configured("10.9.0.1/24 v0");
        connections.put(IpLiterals.parse(OLD), 1);
        step("del 10.9.0.1/24 v0");
        clock.advanceMillis(5000);
        step("add 10.9.0.1/24 v0:0");
        clock.advance(WINDOW);
        findings.addAll(detector.tick());
        assertThat(findings).isEmpty();
    }

    @Test
    void anAddressRemovedWithoutConnectionsIsNotReported() {
        configured("10.9.0.1/24 v0");
        step("del 10.9.0.1/24 v0");
        clock.advance(WINDOW);
        findings.addAll(detector.tick());
        assertThat(findings).isEmpty();
        assertThat(counted).containsExactly(IpLiterals.parse(OLD));
    }

    @Test
    void anAddressOfTheAgentsOwnChangeIsNotReportedLost() {
        configured("10.9.0.1/24 v0");
        connections.put(IpLiterals.parse(OLD), 1);
        busy = Set.of(IpLiterals.parse(OLD));
        step("del 10.9.0.1/24 v0");
        clock.advance(WINDOW);
        findings.addAll(detector.tick());
        assertThat(findings).isEmpty();
        assertThat(counted).isEmpty();
    }

    @Test
    void addressesRemovedTogetherAreEachCounted() {
        configured("10.9.0.1/24 v0", "10.9.0.7/24 v0 secondary");
        connections.put(IpLiterals.parse(OLD), 1);
        connections.put(IpLiterals.parse("10.9.0.7"), 4);
        batch("del 10.9.0.1/24 v0", "del 10.9.0.7/24 v0 secondary");
        clock.advance(WINDOW);
        findings.addAll(detector.tick());
        assertThat(findings).extracting(f -> ((AddressLoss) f).connections()).containsExactly(1, 4);
    }

    // --- what operators see ---

    @Test
    void pendingStepsShowTheWindowAndTheLossesToCome() {
        configured("10.9.0.1/24 v0");
        connections.put(IpLiterals.parse(OLD), 1);
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        assertThat(detector.pendingSteps()).hasSize(3).anyMatch(l -> l.endsWith("v0: 10.9.0.1/24 removed"))
                .anyMatch(l -> l.endsWith("v0: 10.9.1.1/24 added"))
                .anyMatch(l -> l.contains("10.9.0.1/24 removed with 1 connection(s)"));
    }

    @Test
    void resetForgetsEverything() {
        configured("10.9.0.1/24 v0");
        connections.put(IpLiterals.parse(OLD), 1);
        step("del 10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");
        detector.reset(List.of());
        step("add 10.9.0.1/24 v0:0");
        clock.advance(WINDOW);
        findings.addAll(detector.tick());
        assertThat(findings).isEmpty();
    }

    @Test
    void aResyncTurnsWhatChangedUnseenIntoStepsAndKeepsThoseAlreadySeen() {
        configured("10.9.0.1/24 v0", "10.9.0.7/24 v0 secondary");
        step("del 10.9.0.1/24 v0");
        clock.advanceMillis(500);

        findings.addAll(detector.resync(List.of(parse("add 10.9.1.1/24 v0").configured(),
                parse("add 10.9.0.1/24 v0:0").configured(), parse("add 10.9.0.7/24 v0 secondary").configured(),
                parse("lo add 127.0.0.1/8 lo").configured())));

        assertThat(renumberings()).singleElement().satisfies(r -> {
            assertEquals("10.9.0.1/24", r.oldAddress().address().toString());
            assertEquals("v0:0", r.oldAddress().label());
            assertEquals("10.9.1.1/24", r.newAddress().address().toString());
            assertEquals(clock.instant(), r.completedAt());
        });
        assertThat(detector.pendingSteps()).as("nothing left over, loopback ignored").isEmpty();
    }

    @Test
    void aResyncThatFindsNothingChangedAddsNoStep() {
        configured("10.9.0.1/24 v0");
        step("add 10.9.1.1/24 v0");

        findings.addAll(detector.resync(List.of(parse("add 10.9.0.1/24 v0").configured(),
                parse("add 10.9.1.1/24 v0").configured())));

        assertThat(findings).isEmpty();
        assertThat(detector.pendingSteps()).singleElement().asString().endsWith("v0: 10.9.1.1/24 added");
    }

    // --- helpers ---

    private List<Renumbering> renumberings() {
        return findings.stream().filter(Renumbering.class::isInstance).map(Renumbering.class::cast).toList();
    }

    private void configured(String... addresses) {
        List<ConfiguredAddress> list = new ArrayList<>();
        for (String a : addresses) {
            list.add(parse("add " + a).configured());
        }
        detector.reset(list);
    }

    /** One event as its own batch, 10 ms after the previous one. */
    private void step(String step) {
        clock.advanceMillis(10);
        batch(step);
    }

    private void batch(String... steps) {
        List<AddressEvent> events = new ArrayList<>();
        for (String s : steps) {
            events.add(parse(s));
        }
        findings.addAll(detector.accept(events));
    }

    /** {@code [IF] add|del ADDR/PREFIX LABEL [secondary]}; the interface defaults to v0. */
    private AddressEvent parse(String step) {
        List<String> words = new ArrayList<>(List.of(step.strip().split("\\s+")));
        String nic = words.get(0).equals("add") || words.get(0).equals("del") ? "v0" : words.remove(0);
        AddressEvent.Kind kind = words.get(0).equals("add") ? AddressEvent.Kind.ADDED : AddressEvent.Kind.REMOVED;
        Set<String> flags = new HashSet<>(words.subList(3, words.size()));
        return new AddressEvent(kind, nic, InterfaceAddress.parse(words.get(1)), words.get(2),
                flags.contains("secondary"), clock.instant());
    }
}
