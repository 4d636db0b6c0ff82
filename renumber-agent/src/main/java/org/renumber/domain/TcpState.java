package org.renumber.domain;

/** TCP states in the kernel's numbering ({@code include/net/tcp_states.h}). */
public enum TcpState {
    UNKNOWN,
    ESTABLISHED,
    SYN_SENT,
    SYN_RECV,
    FIN_WAIT1,
    FIN_WAIT2,
    TIME_WAIT,
    CLOSE,
    CLOSE_WAIT,
    LAST_ACK,
    LISTEN,
    CLOSING,
    NEW_SYN_RECV;

    public static TcpState ofKernel(int value) {
        TcpState[] all = values();
        return value > 0 && value < all.length ? all[value] : UNKNOWN;
    }

    public int kernelValue() {
        return ordinal();
    }

    /**
     * Whether a TCP socket in this state still needs its local address: one a process owns ({@code owned}) while
     * it is a {@link #isConnection() connection}; one its process closed (orphaned) while the peer has not
     * acknowledged its FIN ({@link #awaitsFinAcknowledgement()}), since until then the kernel retransmits, from
     * that address, the data the application wrote and the FIN. docs/architecture.md, "Drain".
     */
    public boolean holdsAddress(boolean owned) {
        return owned ? isConnection() : awaitsFinAcknowledgement();
    }

    /**
     * FIN_WAIT1 (the FIN, and maybe data before it, not yet acknowledged), CLOSING and LAST_ACK (the FIN not yet
     * acknowledged). The peer's acknowledgement moves a socket out: to FIN_WAIT2 or TIME_WAIT, in which nothing
     * it sent is left unacknowledged, or to being freed (LAST_ACK).
     */
    public boolean awaitsFinAcknowledgement() {
        return this == FIN_WAIT1 || this == CLOSING || this == LAST_ACK;
    }

    /** States in which a socket is a connection that still uses its local address. */
    public boolean isConnection() {
        return switch (this) {
            case ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, LAST_ACK, CLOSING -> true;
            default -> false;
        };
    }
}
