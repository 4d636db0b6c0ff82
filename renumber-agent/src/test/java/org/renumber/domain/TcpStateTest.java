package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Which TCP sockets still hold their local address (docs/architecture.md, "Drain"). */
class TcpStateTest {

    @Test
    void theKernelsNumbersMapBothWaysAndAnUnknownNumberIsUnknown() {
        for (TcpState state : TcpState.values()) {
            if (state != TcpState.UNKNOWN) {
                assertThat(TcpState.ofKernel(state.kernelValue())).isEqualTo(state);
            }
        }
        assertThat(TcpState.ofKernel(1)).isEqualTo(TcpState.ESTABLISHED);
        assertThat(TcpState.ofKernel(10)).isEqualTo(TcpState.LISTEN);
        assertThat(TcpState.ofKernel(0)).isEqualTo(TcpState.UNKNOWN);
        assertThat(TcpState.ofKernel(99)).isEqualTo(TcpState.UNKNOWN);
        assertThat(TcpState.ofKernel(-1)).isEqualTo(TcpState.UNKNOWN);
    }

    @Test
    void anOwnedSocketHoldsTheAddressWhileItIsAConnection() {
        assertThat(Arrays.stream(TcpState.values()).filter(s -> s.holdsAddress(true)))
                .containsExactlyInAnyOrder(TcpState.ESTABLISHED, TcpState.SYN_SENT, TcpState.SYN_RECV,
                        TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT, TcpState.LAST_ACK,
                        TcpState.CLOSING);
    }

    @Test
    void anOrphanedSocketHoldsItOnlyUntilItsFinIsAcknowledged() {
        assertThat(Arrays.stream(TcpState.values()).filter(s -> s.holdsAddress(false)))
                .containsExactlyInAnyOrder(TcpState.FIN_WAIT1, TcpState.CLOSING, TcpState.LAST_ACK);
        assertThat(TcpState.TIME_WAIT.holdsAddress(false)).isFalse();
        assertThat(TcpState.LISTEN.holdsAddress(true)).as("a listener is no connection").isFalse();
    }
}
