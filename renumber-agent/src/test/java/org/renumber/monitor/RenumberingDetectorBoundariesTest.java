package org.renumber.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;

/**
 * What the detector must not take for a renumbering, the address losses it reports instead, and what operators see
 * of its pending steps.
 */
class RenumberingDetectorBoundariesTest extends DetectorFixture {

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

}
