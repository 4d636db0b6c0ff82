package org.renumber.linux.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.renumber.testing.NetNsFixture.IF_A;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetInterface;
import org.renumber.domain.NetworkException;
import org.renumber.linux.Errno;
import org.renumber.testing.KernelTest;
import org.renumber.testing.NetlinkControlFixture;

/** Dumps, multicast and overruns of {@link NetlinkSocket} against the real kernel, in namespace A. */
@KernelTest
class NetlinkSocketTest extends NetlinkControlFixture {

    @Test
    void aDumpSpanningManyDatagramsIsCollectedUpToDone() {
        // About 90 bytes per address: 600 addresses need several datagrams of at most 32 KiB.
        for (int i = 0; i < 600; i++) {
            control.addAddress(IF_A, InterfaceAddress.parse("10.7." + (i / 200) + "." + (i % 200 + 1) + "/32"));
        }

        NetInterface v0 = control.interfaces().stream().filter(n -> n.name().equals(IF_A)).findFirst().orElseThrow();

        assertThat(v0.addresses()).hasSize(fixture.addresses(fixture.a(), IF_A).size()).hasSizeGreaterThan(600);
    }

    @Test
    void anOverrunMulticastSocketReportsEnobufsAndStaysUsable() {
        try (NetlinkSocket events = NetlinkSocket.openIn(netns, NetlinkConstants.NETLINK_ROUTE)) {
            events.setReceiveBufferSize(1); // the kernel's minimum, a few KiB
            events.joinGroup(NetlinkConstants.RTNLGRP_IPV4_IFADDR);
            for (int i = 1; i <= 100; i++) {
                control.addAddress(IF_A, InterfaceAddress.parse("10.7.0." + i + "/32"));
            }

            List<Short> types = new ArrayList<>();
            assertThatThrownBy(() -> events.receiveEvents(m -> types.add(m.type())))
                    .isInstanceOf(NetworkException.class)
                    .hasMessageContaining("ENOBUFS")
                    .satisfies(e -> assertThat(((NetworkException) e).errno()).isEqualTo(Errno.ENOBUFS));

            // What the buffer held before the overrun is still there, and new events arrive.
            control.addAddress(IF_A, InterfaceAddress.parse("10.7.1.1/32"));
            events.receiveEvents(m -> types.add(m.type()));
            assertThat(types).isNotEmpty().containsOnly(NetlinkConstants.RTM_NEWADDR);
        }
    }

    @Test
    void aLargeReceiveBufferCanBeForcedAsRoot() {
        try (NetlinkSocket events = NetlinkSocket.openIn(netns, NetlinkConstants.NETLINK_SOCK_DIAG)) {
            // The kernel doubles the value for its bookkeeping; SO_RCVBUFFORCE ignores net.core.rmem_max.
            assertThat(events.setReceiveBufferSize(4 << 20)).isGreaterThanOrEqualTo(4 << 20);
        }
    }

    @Test
    void aRequestThatWaitsForAnAckMustAskForOne() {
        try (NetlinkSocket socket = NetlinkSocket.openIn(netns, NetlinkConstants.NETLINK_ROUTE)) {
            NetlinkRequest request = new NetlinkRequest(NetlinkConstants.RTM_GETLINK, NetlinkConstants.NLM_F_REQUEST);

            assertThatThrownBy(() -> socket.request("get link", request)).isInstanceOf(IllegalArgumentException.class);
            assertThat(socket.portId()).isNotZero();
        }
    }

    @Test
    void aClosedSocketRefusesRequests() {
        NetlinkSocket socket = NetlinkSocket.openIn(netns, NetlinkConstants.NETLINK_ROUTE);
        socket.close();
        socket.close();

        NetlinkRequest request = new NetlinkRequest(NetlinkConstants.RTM_GETLINK,
                (short) (NetlinkConstants.NLM_F_REQUEST | NetlinkConstants.NLM_F_DUMP));
        assertThatThrownBy(() -> socket.transact("list links", request, m -> m))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
