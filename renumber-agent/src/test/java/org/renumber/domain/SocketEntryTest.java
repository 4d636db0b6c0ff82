package org.renumber.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which TCP sockets hold their local address for a drain (docs/architecture.md, "Drain"). */
class SocketEntryTest {

    @ParameterizedTest(name = "{0}, owned {1}: {2}")
    @CsvSource({
            "ESTABLISHED, true, true", "CLOSE_WAIT, true, true", "FIN_WAIT2, true, true", "LISTEN, true, false",
            "LAST_ACK, false, true", "FIN_WAIT1, false, true", "CLOSING, false, true",
            "FIN_WAIT2, false, false", "TIME_WAIT, false, false", "ESTABLISHED, false, false"})
    void aClosedSocketHoldsItsAddressUntilThePeerHasAcknowledgedItsFin(TcpState state, boolean owned, boolean holds) {
        SocketEntry socket = new SocketEntry(SocketEntry.Protocol.TCP, new InetSocketAddress("10.9.0.1", 5000),
                new InetSocketAddress("10.9.0.2", 40000), state, owned ? 4711 : 0);

        assertThat(socket.isLiveConnection()).isEqualTo(holds);
    }
}
