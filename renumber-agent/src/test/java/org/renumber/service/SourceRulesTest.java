package org.renumber.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.renumber.domain.AddressRule;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeSteps;
import org.renumber.domain.ChangeState;
import org.renumber.domain.EventType;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.NetworkException;
import org.renumber.domain.Outcome;
import org.renumber.testing.InMemoryJournal;
import org.renumber.testing.InMemoryKernel;
import org.renumber.testing.InMemoryNetwork;
import org.renumber.testing.InMemoryTracker;
import org.renumber.testing.JournaledChanges;

/**
 * Policy rules that name the old address as source or destination (source-based routing of a multi-homed node,
 * {@code from OLD}; rules for the traffic to it, {@code to OLD}; or both): the new address gets the same rules
 * before the applications are told to move, the old address's rules go with it, and a rollback deletes exactly the
 * copies the change added, also after the agent was killed in any state.
 */
class SourceRulesTest {

    private static final InetAddress OLD = IpLiterals.parse("10.9.0.1");
    private static final InterfaceAddress OLD_ADDRESS = InterfaceAddress.parse("10.9.0.1/24");
    private static final InterfaceAddress NEW_ADDRESS = InterfaceAddress.parse("10.9.1.1/24");
    private static final String LOOKUP_100 = "lookup 100 priority 1000";
    private static final String MARKED = "fwmark 0x5 lookup 1000 priority 1002";
    private static final String INBOUND = "lookup 300 priority 1100";
    private static final String BOTH = "lookup 301 priority 1101";
    private static final String FROM_SUBNET = "lookup 302 priority 1102";

    /** The rules that name 10.9.0.1 exactly, by source, destination or both, in the kernel's order. */
    private static final List<String> OF_OLD = List.of("from 10.9.0.1/32 " + LOOKUP_100, "from 10.9.0.1/32 " + MARKED,
            "from all to 10.9.0.1/32 " + INBOUND, "from 10.9.0.1/32 to 10.9.0.1/32 " + BOTH,
            "from 10.9.0.0/24 to 10.9.0.1/32 " + FROM_SUBNET);
    /** Their copies for 10.9.1.1: the new address wherever the old one was named, the rest as it was. */
    private static final List<String> OF_NEW = List.of("from 10.9.1.1/32 " + LOOKUP_100, "from 10.9.1.1/32 " + MARKED,
            "from all to 10.9.1.1/32 " + INBOUND, "from 10.9.1.1/32 to 10.9.1.1/32 " + BOTH,
            "from 10.9.0.0/24 to 10.9.1.1/32 " + FROM_SUBNET);
    /** The rules an IPv4 change leaves alone: wider prefixes, another address, the other family. */
    private static final List<String> OTHERS = List.of("from 10.9.0.0/24 lookup 100 priority 1001",
            "from 10.9.0.50/32 lookup 200 priority 1000", "from 2001:db8:9::1/128 " + LOOKUP_100,
            "from all to 10.9.0.0/24 lookup 300 priority 1103", "from all to 2001:db8:9::1/128 " + INBOUND);

    private final InMemoryKernel kernel = new InMemoryKernel(new InMemoryNetwork()
            .withInterface("v0", "10.9.0.1/24", "10.9.0.50/24", "2001:db8:9::1/64")
            .withRule("10.9.0.1/32", LOOKUP_100)
            .withRule("10.9.0.0/24", "lookup 100 priority 1001")
            .withRule("10.9.0.1/32", MARKED)
            .withRule("10.9.0.50/32", "lookup 200 priority 1000")
            .withRule("2001:db8:9::1/128", LOOKUP_100)
            .withRule("all", "10.9.0.1/32", INBOUND)
            .withRule("10.9.0.1/32", "10.9.0.1/32", BOTH)
            .withRule("10.9.0.0/24", "10.9.0.1/32", FROM_SUBNET)
            .withRule("all", "10.9.0.0/24", "lookup 300 priority 1103")
            .withRule("all", "2001:db8:9::1/128", INBOUND));
    private final InMemoryNetwork network = kernel.network;
    private final InMemoryTracker tracker = kernel.tracker;
    private final InMemoryJournal journal = kernel.journal;
    private final AtomicReference<List<String>> rulesAtStart = new AtomicReference<>();
    private AddressChangeService service;
    private List<String> before;

    @BeforeEach
    void start() {
        network.setPromoteSecondaries("v0", true);
        before = network.rules();
        service = newService();
    }

    private AddressChangeService newService() {
        return kernel.startService(event -> {
            if (event.type() == EventType.STARTED) {
                rulesAtStart.set(network.rules());
            }
        });
    }

    @AfterEach
    void stop() {
        service.close();
    }

    @Test
    void theNewAddressGetsTheOldOnesRulesBeforeStartedAndTheOldOnesGoWithIt() throws Exception {
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> state(id) == ChangeState.DRAINING);

        assertThat(rulesAtStart.get()).as("both addresses routed alike while the applications move")
                .containsExactlyInAnyOrderElementsOf(plus(before, OF_NEW));
        assertThat(service.change(id).orElseThrow().progress().steps().copiedRules()).extracting(AddressRule::text)
                .containsExactlyElementsOf(OF_OLD);

        tracker.setConnections(OLD, 0);
        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(network.rules()).as("as an operator renumbering by hand leaves them")
                .containsExactlyInAnyOrderElementsOf(plus(OTHERS, OF_NEW));
    }

    @Test
    void aRuleByDestinationGetsTheNewAddressOnlyWhereItNamedTheOldOne() throws Exception {
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);

        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(network.rules()).filteredOn(rule -> rule.contains(" to "))
                .as("the source subnet kept, the wider destination left to the operator").containsExactly(
                        "from all to 10.9.0.0/24 lookup 300 priority 1103", "from all to 2001:db8:9::1/128 " + INBOUND,
                        "from all to 10.9.1.1/32 " + INBOUND, "from 10.9.1.1/32 to 10.9.1.1/32 " + BOTH,
                        "from 10.9.0.0/24 to 10.9.1.1/32 " + FROM_SUBNET);
    }

    @Test
    void ipv6RulesAreCopiedAndTheOldOnesRemovedToo() throws Exception {
        String id = service.changeAddress("v0", "2001:db8:9::1", "2001:db8:9::5", "", 60);

        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(rulesAtStart.get()).contains("from 2001:db8:9::1/128 " + LOOKUP_100,
                "from 2001:db8:9::5/128 " + LOOKUP_100, "from all to 2001:db8:9::1/128 " + INBOUND,
                "from all to 2001:db8:9::5/128 " + INBOUND);
        assertThat(network.rules())
                .contains("from 2001:db8:9::5/128 " + LOOKUP_100, "from all to 2001:db8:9::5/128 " + INBOUND)
                .doesNotContain("from 2001:db8:9::1/128 " + LOOKUP_100, "from all to 2001:db8:9::1/128 " + INBOUND)
                .containsAll(OF_OLD);
    }

    @Test
    void cancelDeletesTheCopiesAndLeavesEveryOtherRule() throws Exception {
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> state(id) == ChangeState.DRAINING);

        service.cancelChange(id);

        assertEquals(ChangeState.CANCELLED, state(id));
        assertThat(service.change(id).orElseThrow().progress().error()).doesNotContain("rollback incomplete");
        assertThat(network.rules()).isEqualTo(before);
    }

    @Test
    void aRuleTheNewAddressAlreadyHadIsNotTheChangesToDelete() throws Exception {
        network.withRule("10.9.1.1/32", LOOKUP_100).withRule("all", "10.9.1.1/32", INBOUND);
        List<String> withOperatorsRules = network.rules();
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> state(id) == ChangeState.DRAINING);
        assertThat(service.change(id).orElseThrow().progress().steps().copiedRules()).extracting(AddressRule::text)
                .containsExactly("from 10.9.0.1/32 " + MARKED, "from 10.9.0.1/32 to 10.9.0.1/32 " + BOTH,
                        "from 10.9.0.0/24 to 10.9.0.1/32 " + FROM_SUBNET);

        service.cancelChange(id);

        assertThat(network.rules()).isEqualTo(withOperatorsRules);
    }

    @Test
    void aRuleAddedDuringTheDrainIsCopiedBeforeTheOldAddressGoes() throws Exception {
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> state(id) == ChangeState.DRAINING);
        network.withRule("10.9.0.1/32", "lookup 300 priority 900")
                .withRule("all", "10.9.0.1/32", "lookup 300 priority 901");

        tracker.setConnections(OLD, 0);

        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(network.rules()).contains("from 10.9.1.1/32 lookup 300 priority 900",
                "from all to 10.9.1.1/32 lookup 300 priority 901").doesNotContain(
                "from 10.9.0.1/32 lookup 300 priority 900", "from all to 10.9.0.1/32 lookup 300 priority 901");
        assertThat(service.change(id).orElseThrow().progress().steps().copiedRules()).hasSize(OF_OLD.size() + 2);
    }

    @Test
    void aFailureHalfwayThroughTheCopiesIsRolledBackFromTheJournal() throws Exception {
        network.failAfter("addRuleSelecting", 1, new NetworkException("add rule: No buffer space available", 105));
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);

        assertEquals(ChangeState.FAILED, service.awaitChange(id, 10));
        assertThat(service.change(id).orElseThrow().progress().error()).contains("could not steer")
                .contains("No buffer space");
        assertThat(journal.history()).anySatisfy(c -> assertThat(c.progress().steps().copiedRules())
                .hasSize(OF_OLD.size()))
                .as("journaled before the kernel step");
        assertThat(network.rules()).isEqualTo(before);
    }

    @Test
    void aCopyThatCannotBeDeletedIsReportedAsAnIncompleteRollback() throws Exception {
        tracker.setConnections(OLD, 1);
        String id = service.changeAddress("v0", "10.9.0.1", "10.9.1.1/24", "", 60);
        await().until(() -> state(id) == ChangeState.DRAINING);
        network.failNext("deleteRuleSelecting", new NetworkException("delete rule: Operation not permitted", 1));

        service.cancelChange(id);

        assertThat(service.change(id).orElseThrow().progress().error()).contains("rollback incomplete")
                .contains("could not delete the copy of rule from 10.9.0.1/32 " + LOOKUP_100);
        assertThat(network.rules()).contains(OF_NEW.get(0))
                .doesNotContainAnyElementsOf(OF_NEW.subList(1, OF_NEW.size()));
    }

    @Test
    void aChangeThatKeepsTheOldAddressKeepsItsRules() throws Exception {
        network.addAddress("v0", NEW_ADDRESS);
        String id = service.adoptManualChange("v0", OLD_ADDRESS, NEW_ADDRESS, 10, false);

        assertEquals(ChangeState.COMPLETED, service.awaitChange(id, 10));
        assertThat(network.rules()).containsExactlyInAnyOrderElementsOf(plus(before, OF_NEW));
    }

    @ParameterizedTest(name = "killed in {0}, copies journaled but not added")
    @EnumSource(value = ChangeState.class, names = {"ADDING", "DRAINING", "REMOVING"})
    void copiesJournaledByAnAgentKilledBeforeAddingThemAreAddedOnRestart(ChangeState state) throws Exception {
        service.close();
        network.addAddress("v0", NEW_ADDRESS);
        ChangeSteps steps = JournaledChanges.ADDED_AND_STEERED.withCopiedRules(singleAddressRules());

        service = restart(journaled(state, steps, state == ChangeState.REMOVING ? Outcome.DRAINED : null));

        assertEquals(ChangeState.COMPLETED, service.awaitChange("chg-crash", 10));
        assertThat(network.rules()).containsExactlyInAnyOrderElementsOf(plus(OTHERS, OF_NEW));
    }

    @ParameterizedTest(name = "killed in REMOVING after deleting the old rules, old address removed: {0}")
    @ValueSource(booleans = {false, true})
    void anAgentKilledWhileRemovingFinishesWithoutDuplicates(boolean oldAddressRemoved) throws Exception {
        service.close();
        network.addAddress("v0", NEW_ADDRESS);
        List<AddressRule> rules = singleAddressRules();
        rules.forEach(r -> network.addRuleSelecting(r, NEW_ADDRESS.address()));
        rules.forEach(r -> network.deleteRuleSelecting(r, OLD));
        if (oldAddressRemoved) {
            network.removeAddress("v0", OLD_ADDRESS);
        }
        ChangeSteps steps = JournaledChanges.ADDED_AND_STEERED.withCopiedRules(rules);

        service = restart(journaled(ChangeState.REMOVING, steps, Outcome.DRAINED));

        assertEquals(ChangeState.COMPLETED, service.awaitChange("chg-crash", 10));
        assertThat(network.rules()).containsExactlyInAnyOrderElementsOf(plus(OTHERS, OF_NEW));
    }

    @ParameterizedTest(name = "killed while rolling back a {0}")
    @EnumSource(value = Outcome.class, names = {"CANCELLED", "FAILED"})
    void aRollbackInterruptedByAKillDeletesTheJournaledCopies(Outcome why) throws Exception {
        service.close();
        network.addAddress("v0", NEW_ADDRESS);
        List<AddressRule> rules = singleAddressRules();
        network.addRuleSelecting(rules.get(0), NEW_ADDRESS.address()); // killed before adding the second
        ChangeSteps steps = JournaledChanges.ADDED_AND_STEERED.withCopiedRules(rules);

        service = restart(journaled(ChangeState.DRAINING, steps, null).rollingBack(why, "operator"));

        assertEquals(why == Outcome.CANCELLED ? ChangeState.CANCELLED : ChangeState.FAILED,
                service.awaitChange("chg-crash", 10));
        assertThat(service.change("chg-crash").orElseThrow().progress().error()).doesNotContain("rollback incomplete");
        assertThat(network.rules()).isEqualTo(before);
        assertThat(network.addresses("v0")).doesNotContain(NEW_ADDRESS);
    }

    private List<AddressRule> singleAddressRules() {
        return network.rulesSelecting(OLD).stream().filter(AddressRule::singleAddress).toList();
    }

    private AddressChangeService restart(Change journaledChange) {
        journal.saveChange(journaledChange);
        return newService();
    }

    private static Change journaled(ChangeState state, ChangeSteps steps, Outcome outcome) {
        return JournaledChanges.killedIn(JournaledChanges.request("chg-crash", OLD_ADDRESS, NEW_ADDRESS).build(), state,
                steps, outcome);
    }

    private static List<String> plus(List<String> rules, List<String> more) {
        return Stream.concat(rules.stream(), more.stream()).toList();
    }

    private ChangeState state(String id) {
        return service.change(id).orElseThrow().progress().state();
    }
}
