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

    /** States in which a socket is a connection that still uses its local address. */
    public boolean isConnection() {
        return switch (this) {
            case ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, LAST_ACK, CLOSING -> true;
            default -> false;
        };
    }
}
