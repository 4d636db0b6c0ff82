package org.renumber.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.AddressRule;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeProgress;
import org.renumber.domain.ChangeRequest;
import org.renumber.domain.ChangeSteps;
import org.renumber.domain.ChangeState;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.SourceRoute;
import org.renumber.testing.JournaledChanges;

/** The steps added for IPv6, routes and rules survive the disk, and journals written before them still read. */
class ChangeStepsJournalTest {

    @TempDir
    Path dir;

    @Test
    void deprecationAndMovedRoutesSurviveARoundTrip() {
        ChangeSteps steps = ChangeSteps.NONE.withNewAddressAdded()
                .withOldAddressDeprecated(new AddressLifetimes(1800, 3600))
                .withMovedRoutes(List.of(new SourceRoute("2001:db8:77::/48 via 2001:db8:9::2 dev v0 metric 1024",
                        "rtmsg1:0a30")));
        Change change = draining("chg-v6", "2001:db8:9::1/64", "2001:db8:9::5/64", steps);
        new FileJournal(dir).saveChange(change);

        assertEquals(List.of(change), new FileJournal(dir).changes());
    }

    @Test
    void copiedRulesSurviveARoundTrip() {
        ChangeSteps steps = JournaledChanges.ADDED_AND_STEERED.withCopiedRules(List.of(
                new AddressRule("from 10.9.0.1 lookup 100 priority 1000", "fibrule1:02002000", true),
                new AddressRule("from all to 10.9.0.1 lookup 100 priority 1001", "fibrule1:02200000", true)));
        Change change = draining("chg-rules", "10.9.0.1/24", "10.9.1.1/24", steps);
        new FileJournal(dir).saveChange(change);

        assertEquals(List.of(change), new FileJournal(dir).changes());
    }

    /** As the agent wrote it when it copied only {@code from} rules (then SourceRule, with the same components). */
    @Test
    void sourceRulesCopiedBeforeRulesByDestinationWereHandledStillRead() throws Exception {
        String key = "fibrule1:02002000640000010000000008000f006400000008000e00ffffffff0500150000000000"
                + "08000600e8030000";
        Files.createDirectories(dir.resolve("changes"));
        Files.writeString(dir.resolve("changes/chg-rules.json"), """
                {
                  "id" : "chg-rules",
                  "interfaceName" : "v0",
                  "oldAddress" : "10.9.0.1/24",
                  "newAddress" : "10.9.1.1/24",
                  "targets" : "",
                  "subscriberIds" : [ ],
                  "drainTimeoutSeconds" : 60,
                  "state" : "DRAINING",
                  "outcome" : null,
                  "error" : null,
                  "remainingConnections" : 1,
                  "requestedAt" : "2026-11-27T10:00:00Z",
                  "startedAt" : null,
                  "deadline" : null,
                  "finishedAt" : null,
                  "steps" : {
                    "newAddressAdded" : true,
                    "routeSteered" : true,
                    "promoteSecondariesSet" : false,
                    "rollbackPending" : false,
                    "oldAddressLifetimes" : null,
                    "movedRoutes" : [ ],
                    "guardApplied" : false,
                    "forceClosed" : null,
                    "copiedRules" : [ {
                      "text" : "from 10.9.0.1 lookup 100 priority 1000",
                      "key" : "KEY",
                      "singleAddress" : true
                    } ]
                  },
                  "kind" : "REQUESTED",
                  "removeOldAddress" : true,
                  "warning" : null
                }
                """.replace("KEY", key));

        Change read = new FileJournal(dir).changes().get(0);

        assertEquals(List.of(new AddressRule("from 10.9.0.1 lookup 100 priority 1000", key, true)),
                read.progress().steps().copiedRules());
    }

    @Test
    void aJournalWrittenBeforeTheNewStepsReadsAsNotDeprecatedAndNoRoutesMoved() throws Exception {
        Files.createDirectories(dir.resolve("changes"));
        Files.writeString(dir.resolve("changes/chg-old.json"), """
                {
                  "id" : "chg-old", "interfaceName" : "v0", "oldAddress" : "10.9.0.1/24", "newAddress" : "10.9.1.1/24",
                  "targets" : "", "subscriberIds" : [ ], "drainTimeoutSeconds" : 60, "state" : "DRAINING",
                  "remainingConnections" : 1, "requestedAt" : "2026-11-27T10:00:00Z",
                  "steps" : { "newAddressAdded" : true, "routeSteered" : true, "promoteSecondariesSet" : false,
                              "rollbackPending" : false }
                }
                """);

        Change read = new FileJournal(dir).changes().get(0);

        assertEquals(JournaledChanges.ADDED_AND_STEERED, read.progress().steps());
        assertThat(read.progress().steps().oldAddressDeprecated()).isFalse();
        assertThat(read.progress().steps().movedRoutes()).isEmpty();
        assertThat(read.progress().steps().copiedRules()).isEmpty();
    }

    private static Change draining(String id, String oldAddress, String newAddress, ChangeSteps steps) {
        ChangeRequest request = ChangeRequest.builder().id(id)
                .renumber("v0", InterfaceAddress.parse(oldAddress), InterfaceAddress.parse(newAddress))
                .drainTimeoutSeconds(60).requestedAt(Instant.parse("2026-11-27T10:00:00Z")).build();
        return new Change(request, ChangeProgress.of(ChangeState.DRAINING).withSteps(steps));
    }
}
