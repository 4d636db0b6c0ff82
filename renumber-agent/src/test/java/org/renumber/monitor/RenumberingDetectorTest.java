package org.renumber.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.MonitorSettings;

/**
 * The patterns the detector recognises as a renumbering by hand (ip, in every order; IPv6; ifconfig with its
 * classful prefixes and settle time), and when a step is missing or comes too late.
 */
class RenumberingDetectorTest extends DetectorFixture {

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

}
