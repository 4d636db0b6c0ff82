package org.renumber.testing;

import java.util.List;

/**
 * What iproute2 prints of a namespace's addresses, routes and policy rules, both families, as one text: two
 * snapshots are byte-identical exactly when a step that must change nothing changed nothing an operator could see.
 */
public final class KernelSnapshot {

    private KernelSnapshot() {
    }

    /** Taken once the kernel's own IPv6 work is done ({@link NetNsFixture#awaitSettled}), so it is not in the diff. */
    public static String of(NetNsFixture net, String ns) {
        net.awaitSettled(ns);
        StringBuilder text = new StringBuilder();
        for (List<String> args : List.of(List.of("-d", "addr"), List.of("-4", "route", "show", "table", "all"),
                List.of("-6", "route", "show", "table", "all"), List.of("-4", "rule"), List.of("-6", "rule"),
                List.of("nexthop"))) {
            text.append("# ip ").append(String.join(" ", args)).append('\n')
                    .append(net.ip(ns, args.toArray(String[]::new)));
        }
        return text.toString();
    }
}
