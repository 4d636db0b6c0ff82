package org.renumber.it;

import java.util.List;
import java.util.Set;
import org.renumber.domain.AddressFamily;
import org.renumber.domain.ChangeState;
import org.renumber.testing.NetNsFixture;

/**
 * One kind of change the fault-injection suite ({@link FaultInjectionIT}) kills the agent in. A scenario's kill
 * points are those its uninterrupted run passes from {@code firstPoint} on: the forward steps are covered once, by
 * the scenarios that start at the beginning; the others add what only they reach (a rollback, a force-close).
 *
 * @param warningSeconds   a scheduled change (WARNING) when positive
 * @param guard            the inbound guard on (GuardNewConnections)
 * @param forceClose       force-close at the deadline on (ForceCloseAtDeadline)
 * @param holdConnection   a TCP connection on the old address stays open, so the drain does not end by itself
 * @param drainSeconds     the drain timeout
 * @param failingHook      a pre-started hook refuses the change, which then fails and rolls back
 * @param whileDraining    what happens to the change once it is DRAINING
 * @param firstPoint       the first journal write to kill at; null for all
 * @param expected         how the change must end, whatever the kill
 */
record FaultScenario(String name, AddressFamily family, long warningSeconds, boolean guard, boolean forceClose,
                     boolean holdConnection, long drainSeconds, boolean failingHook, WhileDraining whileDraining,
                     String firstPoint, ChangeState expected) {

    static final String OLD4 = NetNsFixture.ADDRESS_A;
    /** In the old subnet: the removal then needs promote_secondaries, one more step to kill at. */
    static final String NEW4 = "10.9.0.7";
    static final String OLD6 = NetNsFixture.ADDRESS6_A;
    static final String NEW6 = "2001:db8:9::7";

    /** What the test does once the change is DRAINING. */
    enum WhileDraining {
        NOTHING,
        /** The operator cancels (and again after a restart, until the cancel is taken). */
        CANCEL,
        /**
         * Someone deletes the new address by hand: at the deadline the removal finds it gone, the change fails and
         * rolls back routes, rules and the route source while the old address is still there.
         */
        DELETE_NEW_ADDRESS
    }

    static List<FaultScenario> all() {
        return List.of(
                new FaultScenario("ipv4-warning-guard", AddressFamily.IPV4, 1, true, false, false, 60, false,
                        WhileDraining.NOTHING, null, ChangeState.COMPLETED),
                new FaultScenario("ipv6", AddressFamily.IPV6, 0, false, false, false, 60, false, WhileDraining.NOTHING,
                        null, ChangeState.COMPLETED),
                new FaultScenario("ipv4-cancel-guard", AddressFamily.IPV4, 0, true, false, true, 120, false,
                        WhileDraining.CANCEL, "rollbackPending#1", ChangeState.CANCELLED),
                new FaultScenario("ipv4-failing-hook", AddressFamily.IPV4, 0, false, false, false, 60, true,
                        WhileDraining.NOTHING, "rollbackPending#1", ChangeState.FAILED),
                // 5 s: time enough for the test to see DRAINING and delete the address on a loaded machine.
                new FaultScenario("ipv4-new-address-deleted", AddressFamily.IPV4, 0, false, false, true, 5, false,
                        WhileDraining.DELETE_NEW_ADDRESS, "rollbackPending#1", ChangeState.FAILED),
                new FaultScenario("ipv4-force-close", AddressFamily.IPV4, 0, false, true, true, 1, false,
                        WhileDraining.NOTHING, "REMOVING#1", ChangeState.TIMED_OUT));
    }

    String oldAddress() {
        return family == AddressFamily.IPV4 ? OLD4 : OLD6;
    }

    String newAddress() {
        return family == AddressFamily.IPV4 ? NEW4 : NEW6;
    }

    int prefix() {
        return family == AddressFamily.IPV4 ? NetNsFixture.PREFIX : NetNsFixture.PREFIX6;
    }

    boolean rollsBack() {
        return Set.of(ChangeState.CANCELLED, ChangeState.FAILED).contains(expected);
    }

    /** The kernel set-up beyond the fixture's: a policy rule and routes (main table and table 100) naming OLD. */
    void prepare(NetNsFixture net) {
        String ns = net.a();
        if (family == AddressFamily.IPV4) {
            net.ip(ns, "rule", "add", "from", OLD4, "lookup", "100", "pref", "100");
            net.ip(ns, "route", "add", "10.98.0.0/24", "via", NetNsFixture.ADDRESS_B, "src", OLD4);
            net.ip(ns, "route", "add", "10.99.0.0/24", "via", NetNsFixture.ADDRESS_B, "src", OLD4, "table", "100");
        } else {
            // No duplicate address detection for the new address: the change is then not a second slower, and DAD
            // has tests of its own (Ipv6ChangeEndToEndTest).
            net.setSysctl(ns, "net.ipv6.conf." + NetNsFixture.IF_A + ".accept_dad", "0");
            net.ip(ns, "-6", "rule", "add", "from", OLD6, "lookup", "100", "pref", "100");
            net.ip(ns, "-6", "route", "add", "2001:db8:98::/64", "via", NetNsFixture.ADDRESS6_B, "src", OLD6);
            net.ip(ns, "-6", "route", "add", "2001:db8:99::/64", "via", NetNsFixture.ADDRESS6_B, "src", OLD6,
                    "table", "100");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
