package org.renumber.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.renumber.testing.NetNsFixture;

/**
 * What a change may touch in namespace a, taken before it: the routes of all tables and the policy rules of both
 * families (as sorted lines of {@code ip}'s text: a route put back may come back in another place of the list), the
 * interface's addresses, the nft ruleset (the guard's table) and {@code promote_secondaries}. After the change the
 * namespace must be exactly that again (rolled back) or that with the old address replaced by the new one (done).
 */
record FaultKernel(List<String> routesAndRules, List<String> addresses, String nft, String promoteSecondaries) {

    static FaultKernel of(NetNsFixture net) {
        net.awaitSettled(net.a());
        String ns = net.a();
        String text = String.join("\n", net.ip(ns, "-4", "route", "show", "table", "all"),
                net.ip(ns, "-6", "route", "show", "table", "all"), net.ip(ns, "-4", "rule"), net.ip(ns, "-6", "rule"));
        List<String> lines = Arrays.stream(text.split("\n")).map(String::strip).filter(l -> !l.isEmpty()).sorted()
                .toList();
        List<String> addresses = net.addresses(ns, NetNsFixture.IF_A).stream().filter(a -> !a.startsWith("fe80:"))
                .sorted().toList();
        return new FaultKernel(lines, addresses, net.exec(ns, "nft", "list", "ruleset").strip(),
                net.sysctl(ns, "net.ipv4.conf." + NetNsFixture.IF_A + ".promote_secondaries"));
    }

    /** Checks the namespace now against this picture taken before the change. */
    void assertLeftAsExpected(NetNsFixture net, FaultScenario scenario) {
        FaultKernel after = of(net);
        FaultKernel expected = scenario.rollsBack() ? this : renumbered(scenario.oldAddress(), scenario.newAddress());
        assertThat(after.nft).as("nft ruleset (the guard's table must be gone)").isEqualTo(expected.nft);
        assertThat(after.addresses).as("addresses of %s", NetNsFixture.IF_A).isEqualTo(expected.addresses);
        assertThat(after.routesAndRules).as("routes of all tables and rules").isEqualTo(expected.routesAndRules);
        assertThat(after.promoteSecondaries).as("promote_secondaries").isEqualTo(expected.promoteSecondaries);
    }

    private FaultKernel renumbered(String old, String fresh) {
        return new FaultKernel(routesAndRules.stream().map(l -> replace(l, old, fresh)).sorted().toList(),
                addresses.stream().map(l -> replace(l, old, fresh)).sorted().toList(), nft, promoteSecondaries);
    }

    /** Replaces the address {@code old} where it stands alone (not 10.9.0.1 in 10.9.0.10). */
    private static String replace(String line, String old, String fresh) {
        return line.replaceAll("(?<![0-9a-f:.])" + java.util.regex.Pattern.quote(old) + "(?![0-9a-f:.]*[0-9a-f])",
                fresh);
    }
}
