package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.renumber.testing.NetNsFixture.IF_A;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.renumber.domain.AddressRule;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.SourceRoute;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetNsFixture;
import org.renumber.testing.NetlinkControlFixture;

/**
 * {@link NetlinkNetworkControl}'s routes that name a source and policy rules against the real kernel in namespace
 * A of a {@link NetNsFixture}, checked with iproute2's view ({@code ip -j}); with the kernel facts about them the
 * workflow depends on (docs/architecture.md, "Routes"). Addresses, promotion, steering and DAD are in
 * {@link NetlinkNetworkControlTest}.
 */
@KernelTest
class NetlinkSourceRoutesAndRulesTest extends NetlinkControlFixture {

    private static final InterfaceAddress OLD = InterfaceAddress.parse("10.9.0.1/24");
    private static final InterfaceAddress NEW = InterfaceAddress.parse("10.9.0.3/24");
    private static final InterfaceAddress OLD6 = InterfaceAddress.parse("2001:db8:9::1/64");

    @Test
    void routesNamingASourceAreListedRepointedAndPutBackExactly() {
        fixture.ip(fixture.a(), "route", "add", "192.0.2.0/24", "via", "10.9.0.2", "src", "10.9.0.1");
        fixture.ip(fixture.a(), "route", "add", "default", "via", "10.9.0.2", "dev", IF_A, "src", "10.9.0.1",
                "metric", "50", "mtu", "1400");
        fixture.ip(fixture.a(), "-6", "route", "add", "2001:db8:77::/48", "via", "2001:db8:9::2", "src",
                "2001:db8:9::1", "proto", "static");
        control.addAddress(IF_A, NEW);
        fixture.ip(fixture.a(), "addr", "add", "2001:db8:9::3/64", "dev", IF_A, "nodad");
        fixture.awaitSettled(fixture.a());
        String before4 = fixture.ip(fixture.a(), "-j", "-4", "route");
        String before6 = fixture.ip(fixture.a(), "-j", "-6", "route");

        List<SourceRoute> routes4 = control.routesWithSource(OLD.address());
        List<SourceRoute> routes6 = control.routesWithSource(OLD6.address());

        assertThat(routes4).extracting(SourceRoute::text).containsExactlyInAnyOrder(
                "default via 10.9.0.2 dev v0 metric 50", "192.0.2.0/24 via 10.9.0.2 dev v0");
        assertThat(routes6).extracting(SourceRoute::text)
                .containsExactly("2001:db8:77::/48 via 2001:db8:9::2 dev v0 proto static metric 1024");

        routes4.forEach(r -> control.setRouteSource(r, NEW.address()));
        routes6.forEach(r -> control.setRouteSource(r, IpLiterals.parse("2001:db8:9::3")));

        assertThat(before4).contains("\"prefsrc\":\"10.9.0.1\"");
        assertThat(fixture.ip(fixture.a(), "-j", "-4", "route")).isEqualTo(before4.replace(
                "\"gateway\":\"10.9.0.2\",\"dev\":\"v0\",\"prefsrc\":\"10.9.0.1\"",
                "\"gateway\":\"10.9.0.2\",\"dev\":\"v0\",\"prefsrc\":\"10.9.0.3\""));
        assertThat(fixture.ip(fixture.a(), "-j", "-6", "route")).isEqualTo(before6.replace("2001:db8:9::1",
                "2001:db8:9::3"));
        assertThat(control.routesWithSource(OLD.address())).isEmpty();
        assertThat(fixture.routeSource(fixture.a(), "192.0.2.1")).isEqualTo("10.9.0.3");

        routes4.forEach(r -> control.setRouteSource(r, OLD.address()));
        routes6.forEach(r -> control.setRouteSource(r, OLD6.address()));

        assertThat(fixture.ip(fixture.a(), "-j", "-4", "route")).isEqualTo(before4);
        assertThat(fixture.ip(fixture.a(), "-j", "-6", "route")).isEqualTo(before6);
    }

    @Test
    void aRouteThatWentIsRecreatedAsItWas() {
        fixture.ip(fixture.a(), "route", "add", "192.0.2.0/24", "via", "10.9.0.2", "src", "10.9.0.1", "metric", "7");
        fixture.awaitSettled(fixture.a());
        String before = fixture.ip(fixture.a(), "-j", "-4", "route");
        SourceRoute route = control.routesWithSource(OLD.address()).get(0);
        fixture.ip(fixture.a(), "route", "del", "192.0.2.0/24", "metric", "7");

        control.setRouteSource(route, OLD.address());

        assertThat(fixture.ip(fixture.a(), "-j", "-4", "route")).isEqualTo(before);
    }

    @Test
    void routesOfOtherTablesAndMultipathRoutesAreListedRepointedAndPutBackExactly() {
        addPolicyRoutes("10.9.0.1", "2001:db8:9::1");
        control.addAddress(IF_A, NEW);
        fixture.ip(fixture.a(), "addr", "add", "2001:db8:9::3/64", "dev", IF_A, "nodad");
        fixture.awaitSettled(fixture.a());
        String before = allRoutes();

        List<SourceRoute> routes4 = control.routesWithSource(OLD.address());
        List<SourceRoute> routes6 = control.routesWithSource(OLD6.address());

        assertThat(routes4).extracting(SourceRoute::text).containsExactlyInAnyOrder(
                "198.51.100.0/24 via 10.9.0.2 dev v0 table 100",
                "198.51.101.0/24 via 10.9.0.2 dev v0 table 1000 proto static metric 7",
                "203.0.113.0/24 nexthop via 10.9.0.2 dev v0 weight 1 nexthop via 10.9.0.4 dev v0 weight 3");
        assertThat(routes6).extracting(SourceRoute::text).containsExactlyInAnyOrder(
                "2001:db8:77::/48 via 2001:db8:9::2 dev v0 table 100 metric 1024",
                "2001:db8:78::/48 via 2001:db8:9::2 dev v0 table 1000 metric 1024",
                "2001:db8:79::/48 metric 1024 nexthop via 2001:db8:9::2 dev v0 weight 1"
                        + " nexthop via 2001:db8:9::4 dev v0 weight 3");

        routes4.forEach(r -> control.setRouteSource(r, NEW.address()));
        routes6.forEach(r -> control.setRouteSource(r, IpLiterals.parse("2001:db8:9::3")));

        assertThat(fixture.ipJson(fixture.a(), "route", "show", "table", "all")).isEqualTo(
                withSource(withSource(json(before), "10.9.0.1", "10.9.0.3"), "2001:db8:9::1", "2001:db8:9::3"));
        assertThat(control.routesWithSource(OLD.address())).isEmpty();
        assertThat(control.routesWithSource(OLD6.address())).isEmpty();

        routes4.forEach(r -> control.setRouteSource(r, OLD.address()));
        routes6.forEach(r -> control.setRouteSource(r, OLD6.address()));

        assertThat(allRoutes()).isEqualTo(before);
    }

    @Test
    void aMultipathRouteWhosePathsAreDownIsPutBackWithoutTheirStateFlags() {
        addPolicyRoutes("10.9.0.1", "2001:db8:9::1");
        fixture.awaitSettled(fixture.a()); // the link-local address and its local route come with the carrier
        fixture.ip(fixture.b(), "link", "set", NetNsFixture.IF_B, "down");
        await().atMost(Duration.ofSeconds(10)).until(() -> allRoutes().contains("linkdown"));
        String before = allRoutes();
        List<SourceRoute> routes = new ArrayList<>(control.routesWithSource(OLD.address()));
        routes.addAll(control.routesWithSource(OLD6.address()));
        fixture.ip(fixture.a(), "route", "del", "203.0.113.0/24");
        fixture.ip(fixture.a(), "-6", "route", "del", "2001:db8:79::/48");

        routes.forEach(r -> control.setRouteSource(r, r.text().contains(":") ? OLD6.address() : OLD.address()));

        assertThat(allRoutes()).isEqualTo(before);
    }

    /**
     * Routes through nexthop objects ({@code nhid}): the kernel dumps them with their nexthop's gateway, device and
     * flags too (net.ipv4.nexthop_compat_mode, on by default), which it refuses next to RTA_NH_ID in a request.
     */
    @Test
    void routesThroughNexthopObjectsAreListedRepointedWithTheirNhidAndPutBackExactly() {
        addNexthopRoutes("10.9.0.1", "2001:db8:9::1");
        control.addAddress(IF_A, NEW);
        fixture.ip(fixture.a(), "addr", "add", "2001:db8:9::3/64", "dev", IF_A, "nodad");
        fixture.awaitSettled(fixture.a());
        String before = allRoutes();
        String nexthops = fixture.ip(fixture.a(), "-j", "nexthop");

        List<SourceRoute> routes4 = control.routesWithSource(OLD.address());
        List<SourceRoute> routes6 = control.routesWithSource(OLD6.address());

        assertThat(routes4).extracting(SourceRoute::text).containsExactlyInAnyOrder(
                "198.51.100.0/24 nhid 10 via 10.9.0.2 dev v0",
                "198.51.101.0/24 nhid 20 table 100 nexthop via 10.9.0.2 dev v0 weight 1"
                        + " nexthop via 10.9.0.4 dev v0 weight 3",
                "198.51.102.0/24 nhid 12 via 10.9.0.4 dev v0 table 1000");
        assertThat(routes6).extracting(SourceRoute::text)
                .containsExactly("2001:db8:7d::/48 nhid 11 via 2001:db8:9::2 dev v0 metric 1024");

        routes4.forEach(r -> control.setRouteSource(r, NEW.address()));
        routes6.forEach(r -> control.setRouteSource(r, IpLiterals.parse("2001:db8:9::3")));

        assertThat(before).contains("\"nhid\":10").contains("\"nhid\":20").contains("\"nhid\":12")
                .contains("\"nhid\":11");
        assertThat(fixture.ipJson(fixture.a(), "route", "show", "table", "all")).isEqualTo(
                withSource(withSource(json(before), "10.9.0.1", "10.9.0.3"), "2001:db8:9::1", "2001:db8:9::3"));
        assertThat(fixture.routeSource(fixture.a(), "198.51.100.1")).isEqualTo("10.9.0.3");
        assertThat(control.routesWithSource(OLD.address())).isEmpty();
        assertThat(control.routesWithSource(OLD6.address())).isEmpty();

        routes4.forEach(r -> control.setRouteSource(r, OLD.address()));
        routes6.forEach(r -> control.setRouteSource(r, OLD6.address()));

        assertThat(allRoutes()).isEqualTo(before);
        assertThat(fixture.ip(fixture.a(), "-j", "nexthop")).as("the nexthop objects untouched").isEqualTo(nexthops);
        // The default dump shows nexthop 12's onlink as the route's; with the compatibility dump off a route shows
        // only its own flags, and the onlink did not become the route's.
        assertThat(fixture.ipJson(fixture.a(), "route", "show", "198.51.102.0/24", "table", "1000").get(0)
                .path("flags").toString()).contains("onlink");
        fixture.setSysctl(fixture.a(), "net.ipv4.nexthop_compat_mode", "0");
        assertThat(fixture.ip(fixture.a(), "-j", "route", "show", "198.51.102.0/24", "table", "1000"))
                .contains("\"nhid\":12").doesNotContain("onlink");
    }

    @Test
    void rulesSelectingAnAddressAreListedWithWhetherTheyNameOnlyIt() {
        ipRule("add", "from", "10.9.0.1/32", "lookup", "100", "priority", "1000");
        ipRule("add", "from", "10.9.0.0/24", "lookup", "100", "priority", "1001");
        ipRule("add", "from", "10.9.0.1", "fwmark", "5/0xff", "iif", IF_A, "lookup", "1000", "priority", "1002");
        ipRule("add", "not", "from", "10.9.0.1", "lookup", "100", "priority", "1003");
        ipRule("add", "from", "10.9.0.7", "lookup", "100", "priority", "1004");
        ipRule("add", "to", "10.9.0.1/32", "lookup", "100", "priority", "1005");
        ipRule("add", "from", "10.9.0.1", "to", "10.9.0.1", "lookup", "100", "priority", "1006");
        ipRule("add", "from", "10.9.0.0/24", "to", "10.9.0.1", "lookup", "100", "priority", "1007");
        ipRule("add", "to", "10.9.0.0/24", "lookup", "100", "priority", "1008");
        ipRule("add", "not", "to", "10.9.0.1", "lookup", "100", "priority", "1009");
        ipRule("add", "to", "10.9.0.7", "lookup", "100", "priority", "1010");
        ipRule("add", "from", "2001:db8:9::1/128", "lookup", "100", "priority", "1000");
        ipRule("add", "to", "2001:db8:9::1/128", "lookup", "100", "priority", "1001");

        assertThat(control.rulesSelecting(OLD.address())).extracting(r -> r.text() + " " + r.singleAddress())
                .containsExactly("from 10.9.0.1 lookup 100 priority 1000 true",
                        "from 10.9.0.0/24 lookup 100 priority 1001 false",
                        "from 10.9.0.1 fwmark 0x5/0xff iif v0 lookup 1000 priority 1002 true",
                        "not from 10.9.0.1 lookup 100 priority 1003 false",
                        "from all to 10.9.0.1 lookup 100 priority 1005 true",
                        "from 10.9.0.1 to 10.9.0.1 lookup 100 priority 1006 true",
                        "from 10.9.0.0/24 to 10.9.0.1 lookup 100 priority 1007 true",
                        "from all to 10.9.0.0/24 lookup 100 priority 1008 false",
                        "not from all to 10.9.0.1 lookup 100 priority 1009 false");
        assertThat(control.rulesSelecting(OLD6.address())).extracting(r -> r.text() + " " + r.singleAddress())
                .containsExactly("from 2001:db8:9::1 lookup 100 priority 1000 true",
                        "from all to 2001:db8:9::1 lookup 100 priority 1001 true");
        assertThat(control.rulesSelecting(IpLiterals.parse("10.9.1.1"))).as("from all and to all select nothing")
                .isEmpty();
    }

    @Test
    void aRuleCopiedForAnotherAddressIsWhatIpRuleAddMakesAndAddingItAgainChangesNothing() {
        rulesNaming("10.9.0.1", "2001:db8:9::1").forEach(rule -> ipRule("add", rule));
        List<AddressRule> rules = new ArrayList<>(control.rulesSelecting(OLD.address()));
        rules.addAll(control.rulesSelecting(OLD6.address()));
        assertThat(rules).hasSize(rulesNaming("10.9.0.1", "2001:db8:9::1").size()).allMatch(AddressRule::singleAddress);

        rules.forEach(r -> control.addRuleSelecting(r, newAddressFor(r)));
        String ours = allRules();
        rules.forEach(r -> control.addRuleSelecting(r, newAddressFor(r)));

        assertThat(allRules()).as("no duplicate").isEqualTo(ours);
        assertThat(control.rulesSelecting(NEW.address())).extracting(AddressRule::key)
                .containsExactlyElementsOf(control.rulesSelecting(OLD.address()).stream().map(AddressRule::key)
                        .toList());
        rulesNaming("10.9.0.3", "2001:db8:9::3").forEach(rule -> ipRule("del", rule));
        rulesNaming("10.9.0.3", "2001:db8:9::3").forEach(rule -> ipRule("add", rule));
        assertThat(allRules()).as("the same as by hand").isEqualTo(ours);
    }

    @Test
    void aRuleDeletedForOneAddressLeavesTheOthersAndDeletingItAgainChangesNothing() {
        rulesNaming("10.9.0.1", "2001:db8:9::1").forEach(rule -> ipRule("add", rule));
        String before = allRules();
        List<AddressRule> rules = new ArrayList<>(control.rulesSelecting(OLD.address()));
        rules.addAll(control.rulesSelecting(OLD6.address()));
        rules.forEach(r -> control.addRuleSelecting(r, newAddressFor(r)));

        rules.forEach(r -> control.deleteRuleSelecting(r, newAddressFor(r)));
        rules.forEach(r -> control.deleteRuleSelecting(r, newAddressFor(r)));

        assertThat(allRules()).isEqualTo(before);
        rules.forEach(r -> control.deleteRuleSelecting(r, r.text().contains(":") ? OLD6.address() : OLD.address()));
        assertThat(control.rulesSelecting(OLD.address())).isEmpty();
        assertThat(control.rulesSelecting(OLD6.address())).isEmpty();
    }

    /** Kernel fact the rule copies depend on: rules do not follow addresses, neither ways. */
    @Test
    void deletingAnAddressLeavesTheRulesThatSelectIt() {
        ipRule("add", "from", "10.9.0.1/32", "lookup", "100", "priority", "1000");
        ipRule("add", "to", "10.9.0.1/32", "lookup", "100", "priority", "1001");
        String before = allRules();

        control.addAddress(IF_A, NEW);
        control.setPromoteSecondaries(IF_A, true);
        control.removeAddress(IF_A, OLD);

        assertThat(allRules()).isEqualTo(before);
    }

    /**
     * The rules that name {@code old4} or {@code old6} exactly, as {@code ip rule} arguments: by source, with
     * other selectors, at priority 0 (which a dump leaves out), by destination, by both, and by destination from a
     * subnet that contains neither address.
     */
    private static List<List<String>> rulesNaming(String old4, String old6) {
        return List.of(List.of("from", old4 + "/32", "lookup", "100", "priority", "1000"),
                List.of("from", old4, "fwmark", "5/0xff", "iif", IF_A, "lookup", "1000", "priority", "1002"),
                List.of("from", old4, "lookup", "main", "priority", "0"),
                List.of("to", old4 + "/32", "lookup", "100", "priority", "1003"),
                List.of("from", old4, "to", old4, "lookup", "100", "priority", "1004"),
                List.of("from", "192.0.2.0/24", "to", old4, "lookup", "100", "priority", "1005"),
                List.of("from", old6 + "/128", "lookup", "100", "priority", "1000"),
                List.of("to", old6, "lookup", "100", "priority", "1001"));
    }

    /** {@code ip rule VERB ARGS}, with {@code -6} when an argument is an IPv6 address. */
    private void ipRule(String verb, List<String> args) {
        ipRule(verb, args.toArray(String[]::new));
    }

    private void ipRule(String verb, String... args) {
        List<String> command = new ArrayList<>();
        if (List.of(args).stream().anyMatch(arg -> arg.contains(":"))) {
            command.add("-6");
        }
        command.add("rule");
        command.add(verb);
        command.addAll(List.of(args));
        fixture.ip(fixture.a(), command.toArray(String[]::new));
    }

    /**
     * Routes with {@code src} OLD in tables 100 (ids up to 255 fit rtm_table) and 1000 (RTA_TABLE only), and a
     * multipath route with weights, for both families.
     */
    private void addPolicyRoutes(String old4, String old6) {
        fixture.ip(fixture.a(), "route", "add", "198.51.100.0/24", "via", "10.9.0.2", "src", old4, "table", "100");
        fixture.ip(fixture.a(), "route", "add", "198.51.101.0/24", "via", "10.9.0.2", "src", old4, "table", "1000",
                "proto", "static", "metric", "7");
        fixture.ip(fixture.a(), "route", "add", "203.0.113.0/24", "src", old4, "nexthop", "via", "10.9.0.2", "dev",
                IF_A, "weight", "1", "nexthop", "via", "10.9.0.4", "dev", IF_A, "weight", "3");
        fixture.ip(fixture.a(), "-6", "route", "add", "2001:db8:77::/48", "via", "2001:db8:9::2", "src", old6,
                "table", "100");
        fixture.ip(fixture.a(), "-6", "route", "add", "2001:db8:78::/48", "via", "2001:db8:9::2", "src", old6,
                "table", "1000");
        fixture.ip(fixture.a(), "-6", "route", "add", "2001:db8:79::/48", "src", old6, "nexthop", "via",
                "2001:db8:9::2", "dev", IF_A, "weight", "1", "nexthop", "via", "2001:db8:9::4", "dev", IF_A,
                "weight", "3");
    }

    /**
     * Routes with {@code src} OLD through nexthop objects: nexthop 10 via the peer, in the main table; group 20
     * (10 and the {@code onlink} nexthop 12, weights 1 and 3) in table 100; 12 alone in table 1000; and IPv6
     * nexthop 11 via the peer.
     */
    private void addNexthopRoutes(String old4, String old6) {
        String a = fixture.a();
        fixture.ip(a, "nexthop", "add", "id", "10", "via", "10.9.0.2", "dev", IF_A);
        fixture.ip(a, "nexthop", "add", "id", "12", "via", "10.9.0.4", "dev", IF_A, "onlink");
        fixture.ip(a, "nexthop", "add", "id", "20", "group", "10/12,3");
        fixture.ip(a, "nexthop", "add", "id", "11", "via", "2001:db8:9::2", "dev", IF_A);
        fixture.ip(a, "route", "add", "198.51.100.0/24", "nhid", "10", "src", old4);
        fixture.ip(a, "route", "add", "198.51.101.0/24", "nhid", "20", "src", old4, "table", "100");
        fixture.ip(a, "route", "add", "198.51.102.0/24", "nhid", "12", "src", old4, "table", "1000");
        fixture.ip(a, "-6", "route", "add", "2001:db8:7d::/48", "nhid", "11", "src", old6);
    }

    private static InetAddress newAddressFor(AddressRule rule) {
        return IpLiterals.parse(rule.text().contains(":") ? "2001:db8:9::3" : "10.9.0.3");
    }

    /** Every route of both families in every table, as {@code ip -j route show table all} prints them. */
    private String allRoutes() {
        return fixture.ip(fixture.a(), "-j", "route", "show", "table", "all");
    }

    /** Every rule of both families, as {@code ip -j rule} and {@code ip -j -6 rule} print them. */
    private String allRules() {
        return fixture.ip(fixture.a(), "-j", "-4", "rule") + fixture.ip(fixture.a(), "-j", "-6", "rule");
    }

    /** The routes with preferred source {@code from} that are not the kernel's own, with {@code to} instead. */
    private static JsonNode withSource(JsonNode routes, String from, String to) {
        JsonNode copy = routes.deepCopy();
        for (JsonNode route : copy) {
            if (from.equals(route.path("prefsrc").asText()) && !"kernel".equals(route.path("protocol").asText())) {
                ((ObjectNode) route).put("prefsrc", to);
            }
        }
        return copy;
    }

    private static JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /**
     * Kernel facts the workflow depends on (Linux 6.18): deleting an IPv4 address deletes only the main table's
     * routes that name it (fib_sync_down_addr looks at the main table, or a VRF's), through a nexthop object or
     * not; those of other tables keep naming a source the node no longer has. IPv6 strips the source in every
     * table, but not from a route through a nexthop object (fib6_remove_prefsrc skips those), which goes on naming
     * it too.
     */
    @Test
    void deletingAnAddressLeavesItsIpv4SourceInOtherTablesAndStripsItsIpv6OneButFromRoutesThroughNexthopObjects() {
        control.addAddress(IF_A, NEW);
        fixture.ip(fixture.a(), "addr", "add", "2001:db8:9::3/64", "dev", IF_A, "nodad");
        addPolicyRoutes("10.9.0.3", "2001:db8:9::3");
        addNexthopRoutes("10.9.0.3", "2001:db8:9::3");

        control.removeAddress(IF_A, NEW);
        control.removeAddress(IF_A, InterfaceAddress.parse("2001:db8:9::3/64"));

        assertThat(fixture.ipJson(fixture.a(), "route", "show", "203.0.113.0/24")).as("main table").isEmpty();
        assertThat(fixture.ipJson(fixture.a(), "route", "show", "198.51.100.0/24")).as("main table, nhid").isEmpty();
        for (String table : List.of("100", "1000")) {
            assertThat(fixture.ipJson(fixture.a(), "route", "show", "table", table)).as("table %s", table)
                    .hasSize(2).allSatisfy(route -> assertThat(route.path("prefsrc").asText()).isEqualTo("10.9.0.3"));
        }
        assertThat(fixture.ipJson(fixture.a(), "-6", "route", "show", "table", "all"))
                .filteredOn(route -> route.has("prefsrc")).extracting(route -> route.path("dst").asText())
                .containsExactly("2001:db8:7d::/48");
    }

    /** Kernel facts the workflow depends on: what deleting an address does to the routes that name it. */
    @Test
    void deletingAnAddressDeletesItsIpv4SourceRoutesAndStripsItsIpv6Ones() {
        fixture.ip(fixture.a(), "route", "add", "192.0.2.0/24", "via", "10.9.0.2", "src", "10.9.0.1");
        fixture.ip(fixture.a(), "addr", "add", "2001:db8:9::3/64", "dev", IF_A, "nodad");
        fixture.ip(fixture.a(), "-6", "route", "add", "2001:db8:77::/48", "via", "2001:db8:9::2", "src", "2001:db8:9::3");

        control.setPromoteSecondaries(IF_A, true);
        control.addAddress(IF_A, NEW);
        control.removeAddress(IF_A, OLD);
        control.removeAddress(IF_A, InterfaceAddress.parse("2001:db8:9::3/64"));

        assertThat(fixture.ipJson(fixture.a(), "-4", "route", "show", "192.0.2.0/24")).isEmpty();
        JsonNode route6 = fixture.ipJson(fixture.a(), "-6", "route", "show", "2001:db8:77::/48");
        assertThat(route6).hasSize(1);
        assertThat(route6.get(0).has("prefsrc")).isFalse();
    }
}
