package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.renumber.domain.port.InboundGuard;
import org.renumber.domain.port.SocketKiller.ClosedSockets;
import org.renumber.testing.InMemoryGuard;

/** What the drain ports define themselves: the forced-close summary and the guard clean-up after a restart. */
class DrainPortsTest {

    private static final InetAddress OLD = IpLiterals.parse("10.9.0.1");
    private static final InetAddress LEAKED = IpLiterals.parse("10.9.0.7");
    private static final InetAddress OLD6 = IpLiterals.parse("2001:db8:9::1");

    @Test
    void closedSocketsReadAsASentenceForTheOutcome() {
        assertThat(ClosedSockets.NONE.describe()).isEqualTo("no sockets");
        assertThat(new ClosedSockets(1, 0, 0, 0).describe()).isEqualTo("1 TCP connection");
        assertThat(new ClosedSockets(3, 2, 1, 4).describe()).isEqualTo("3 TCP connections, 2 TCP connections already "
                + "closed by their application, 1 TCP listener, 4 UDP sockets");
        assertThat(new ClosedSockets(0, 1, 0, 1).describe())
                .isEqualTo("1 TCP connection already closed by its application, 1 UDP socket");
        assertThat(new ClosedSockets(3, 2, 1, 4).total()).isEqualTo(10);
        assertThatThrownBy(() -> new ClosedSockets(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void releaseAllExceptRemovesTheGuardsOfChangesNoLongerRunning() {
        InMemoryGuard guard = new InMemoryGuard();
        guard.guard(OLD);
        guard.guard(LEAKED);
        guard.guard(OLD6);

        assertThat(guard.releaseAllExcept(Set.of(OLD, OLD6))).containsExactly(LEAKED);

        assertThat(guard.activeGuards()).extracting(InboundGuard.Guard::address).containsExactly(OLD, OLD6);
        assertThat(guard.releaseAllExcept(Set.of())).containsExactlyInAnyOrder(OLD, OLD6);
        assertThat(guard.activeGuards()).isEmpty();
    }

    @Test
    void anUnavailableGuardSaysWhyInsteadOfDoingNothing() {
        InMemoryGuard guard = new InMemoryGuard();
        guard.makeUnavailable("no nft here");

        assertThat(guard.available()).isFalse();
        assertThatThrownBy(guard::requireAvailable).isInstanceOf(GuardUnavailableException.class)
                .hasMessage("no nft here");
        assertThatThrownBy(() -> guard.guard(OLD)).isInstanceOf(GuardUnavailableException.class);
        assertThat(guard.isGuarded(OLD)).isFalse();
    }
}
