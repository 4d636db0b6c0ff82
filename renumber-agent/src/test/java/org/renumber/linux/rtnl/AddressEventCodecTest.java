package org.renumber.linux.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.linux.Hex;
import org.renumber.linux.netlink.NetlinkMessage;

/**
 * Address events (RTM_NEWADDR / RTM_DELADDR multicast on RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR) against
 * datagrams captured from the kernel (Linux 6.18, x86_64): a netlink socket bound to both groups in a test
 * namespace where v0 has index 3, around
 * {@code ip addr del 10.9.0.1/24 dev v0; ip addr add 10.9.1.1/24 brd + dev v0;
 * ip addr add 10.9.0.1/24 brd + dev v0 label v0:0; ip addr add 10.9.1.7/24 dev v0;
 * ip addr add 2001:db8:9::1/64 dev v0 nodad; ip addr del 2001:db8:9::1/64 dev v0}.
 */
class AddressEventCodecTest {

    /** RTM_DELADDR 10.9.0.1/24 label v0, IFA_F_PERMANENT; seq and port id echo the ip command's request. */
    private static final String DEL_OLD = """
            54000000 15000000 35f2096b 23600000 02188000 03000000 08000100 0a090001
            08000200 0a090001 08000400 0a0900ff 07000300 76300000 08000800 80000000
            14000600 ffffffff ffffffff 11560500 11560500""";

    /** RTM_NEWADDR 10.9.1.1/24 label v0. */
    private static final String ADD_NEW = """
            54000000 14000000 35f2096b 24600000 02188000 03000000 08000100 0a090101
            08000200 0a090101 08000400 0a0901ff 07000300 76300000 08000800 80000000
            14000600 ffffffff ffffffff 76560500 76560500""";

    /** RTM_NEWADDR 10.9.0.1/24 label v0:0 (a primary of its own subnet: the new address is in another). */
    private static final String ADD_ALIAS = """
            58000000 14000000 35f2096b 25600000 02188000 03000000 08000100 0a090001
            08000200 0a090001 08000400 0a0900ff 09000300 76303a30 00000000 08000800
            80000000 14000600 ffffffff ffffffff 76560500 76560500""";

    /** RTM_NEWADDR 10.9.1.7/24, a secondary of 10.9.1.1/24: IFA_F_SECONDARY | IFA_F_PERMANENT, no broadcast. */
    private static final String ADD_SECONDARY = """
            4c000000 14000000 35f2096b 26600000 02188100 03000000 08000100 0a090107
            08000200 0a090107 07000300 76300000 08000800 81000000 14000600 ffffffff
            ffffffff 77560500 77560500""";

    /** RTM_NEWADDR 2001:db8:9::1/64 nodad: IFA_ADDRESS only, no label, IFA_F_NODAD | IFA_F_PERMANENT. */
    private static final String ADD_IPV6 = """
            48000000 14000000 00000000 00000000 0a408200 03000000 14000100 20010db8
            00090000 00000000 00000001 14000600 ffffffff ffffffff 77560500 77560500
            08000800 82000000""";

    /** RTM_DELADDR of the same. */
    private static final String DEL_IPV6 = """
            48000000 15000000 00000000 00000000 0a408200 03000000 14000100 20010db8
            00090000 00000000 00000001 14000600 ffffffff ffffffff 77560500 77560500
            08000800 82000000""";

    @BeforeAll
    static void capturesAreLittleEndian() {
        assertEquals(ByteOrder.LITTLE_ENDIAN, ByteOrder.nativeOrder(), "the captured bytes are from x86_64 (little-endian)");
    }

    @Test
    void removalOfThePrimaryIsParsedWithItsLabel() {
        assertEquals(new RtnetlinkAddressEvents.AddressUpdate(false, 3, InterfaceAddress.parse("10.9.0.1/24"), "v0",
                false), parse(DEL_OLD));
    }

    @Test
    void additionsAreParsed() {
        assertEquals(new RtnetlinkAddressEvents.AddressUpdate(true, 3, InterfaceAddress.parse("10.9.1.1/24"), "v0",
                false), parse(ADD_NEW));
    }

    @Test
    void anAliasCarriesItsLabel() {
        assertEquals(new RtnetlinkAddressEvents.AddressUpdate(true, 3, InterfaceAddress.parse("10.9.0.1/24"), "v0:0",
                false), parse(ADD_ALIAS));
    }

    @Test
    void aSecondaryIsFlaggedAsSuch() {
        assertEquals(new RtnetlinkAddressEvents.AddressUpdate(true, 3, InterfaceAddress.parse("10.9.1.7/24"), "v0",
                true), parse(ADD_SECONDARY));
    }

    @Test
    void ipv6HasNoLabelAndNoSecondaries() {
        RtnetlinkAddressEvents.AddressUpdate added = parse(ADD_IPV6);
        assertEquals(new RtnetlinkAddressEvents.AddressUpdate(true, 3, InterfaceAddress.parse("2001:db8:9::1/64"), null,
                false), added);
        RtnetlinkAddressEvents.AddressUpdate removed = parse(DEL_IPV6);
        assertEquals(false, removed.added());
        assertEquals(added.key(), removed.key());
    }

    @Test
    void otherMessagesAreNotAddressEvents() {
        // the RTM_NEWADDR header with its type changed to RTM_NEWROUTE
        String route = "54000000 18000000" + ADD_NEW.substring(17);
        assertNull(parse(route));
    }

    @Test
    void aResyncReportsRemovalsFirstAndAChangedLabelAsRemovalAndAddition() {
        Instant now = Instant.parse("2025-03-01T12:00:00Z");
        Map<RtnetlinkAddressEvents.Key, ConfiguredAddress> known = new LinkedHashMap<>();
        put(known, "10.9.0.1/24", "v0", false);
        put(known, "10.9.0.50/24", "v0", true);
        put(known, "10.9.0.99/24", "v0", true);
        Map<RtnetlinkAddressEvents.Key, ConfiguredAddress> now1 = new LinkedHashMap<>();
        put(now1, "10.9.1.1/24", "v0", false);
        put(now1, "10.9.0.1/24", "v0:0", false);
        put(now1, "10.9.0.50/24", "v0", true);

        List<String> events = new ArrayList<>();
        for (AddressEvent e : AddressEvent.difference(known, now1, now)) {
            assertEquals(now, e.time());
            events.add(e.describe());
        }

        assertThat(events).containsExactly("v0: 10.9.0.1/24 removed", "v0: 10.9.0.99/24 (secondary) removed",
                "v0: 10.9.1.1/24 added", "v0: 10.9.0.1/24 (v0:0) added");
        assertThat(AddressEvent.difference(known, known, now)).isEmpty();
    }

    private static void put(Map<RtnetlinkAddressEvents.Key, ConfiguredAddress> map, String address, String label,
                            boolean secondary) {
        InterfaceAddress a = InterfaceAddress.parse(address);
        map.put(new RtnetlinkAddressEvents.Key(3, a), new ConfiguredAddress("v0", a, label, secondary));
    }

    private static RtnetlinkAddressEvents.AddressUpdate parse(String hex) {
        List<RtnetlinkAddressEvents.AddressUpdate> parsed = new ArrayList<>();
        NetlinkMessage.forEach(Hex.buffer(hex), m -> parsed.add(RtnetlinkAddressEvents.AddressUpdate.parse(m)));
        assertThat(parsed).hasSize(1);
        return parsed.get(0);
    }
}
