package org.renumber.domain.port;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.renumber.domain.NetworkException;

/**
 * Destroys the sockets on a local address in the managed namespace, as {@code ss -K} does: what enforces a
 * drain deadline instead of only reporting it. Sockets that vanish on their own meanwhile are skipped, not errors.
 *
 * <p>What "destroyed" means differs by protocol (the kernel's {@code tcp_abort} and {@code udp_abort}):
 * <ul>
 * <li>A TCP socket is gone at once: its peer gets a reset, TIME_WAIT is skipped, and the application owning it
 *     gets ECONNABORTED on its next call.</li>
 * <li>A UDP socket's application gets ECONNABORTED on its pending or next call, which is its cue to close the
 *     socket or bind a new one. The kernel cannot close a file descriptor, though: a socket the application bound
 *     explicitly to the address (and port) stays bound, and listed, until the application closes it; a socket
 *     that was only connected from the address is unbound.</li>
 * </ul>
 */
public interface SocketKiller {

    /** What {@link #destroy} may destroy on the address. */
    enum SocketKind {
        /** TCP sockets in a connection state, including ones their application already closed (orphaned). */
        TCP_CONNECTIONS,
        /** TCP sockets listening on the address. */
        TCP_LISTENERS,
        /** UDP sockets whose local address is the address (bound to it, or connected from it). */
        UDP
    }

    /** What a drain deadline destroys: the connections and the UDP sockets, not the listeners (see README). */
    Set<SocketKind> AT_DEADLINE = Set.copyOf(EnumSet.of(SocketKind.TCP_CONNECTIONS, SocketKind.UDP));

    /**
     * Destroys the sockets of {@code kinds} whose local address is {@code address} (IPv4-mapped IPv6 sockets
     * of an IPv4 address included) and says how many of each it destroyed.
     *
     * @throws NetworkException when the kernel cannot list or destroy sockets (e.g. built without
     *                          CONFIG_INET_DIAG_DESTROY); sockets destroyed before the failure stay destroyed
     */
    ClosedSockets destroy(InetAddress address, Set<SocketKind> kinds);

    /**
     * How many sockets one {@link #destroy} call destroyed.
     *
     * @param connections TCP connections a process still owned
     * @param orphaned    TCP connections their application had already closed, lingering in FIN_WAIT or similar
     * @param listeners   TCP listeners
     * @param udp         UDP sockets aborted (see the interface: one bound explicitly stays until its
     *                    application closes it)
     */
    record ClosedSockets(int connections, int orphaned, int listeners, int udp) {

        public static final ClosedSockets NONE = new ClosedSockets(0, 0, 0, 0);

        public ClosedSockets {
            if (connections < 0 || orphaned < 0 || listeners < 0 || udp < 0) {
                throw new IllegalArgumentException("counts cannot be negative: " + connections + ", " + orphaned
                        + ", " + listeners + ", " + udp);
            }
        }

        public int total() {
            return connections + orphaned + listeners + udp;
        }

        /** For an outcome message: {@code 3 TCP connections, 1 UDP socket}, or {@code no sockets}. */
        public String describe() {
            List<String> parts = new ArrayList<>();
            add(parts, connections, "TCP connection");
            add(parts, orphaned, "TCP connection already closed by its application",
                    "TCP connections already closed by their application");
            add(parts, listeners, "TCP listener");
            add(parts, udp, "UDP socket");
            return parts.isEmpty() ? "no sockets" : String.join(", ", parts);
        }

        private static void add(List<String> parts, int count, String singular) {
            add(parts, count, singular, singular + "s");
        }

        private static void add(List<String> parts, int count, String singular, String plural) {
            if (count > 0) {
                parts.add(count + " " + (count == 1 ? singular : plural));
            }
        }
    }
}
