package org.renumber.linux.sockdiag;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.LibC;

/**
 * {@code struct inet_diag_hostcond} ({@code linux/inet_diag.h}), the argument of INET_DIAG_BC_S_COND and
 * D_COND: 8 bytes plus the address (4 bytes for AF_INET, 16 for AF_INET6):
 * <pre>
 * __u8   family
 * __u8   prefix_len
 * (2 bytes padding)
 * int    port          native order; -1 = any port
 * __be32 addr[]        network order
 * </pre>
 * The kernel also matches an IPv4-mapped IPv6 socket ({@code ::ffff:a.b.c.d}) against an AF_INET condition
 * ({@code inet_diag_bc_run}), so one IPv4 condition finds dual-stack sockets too.
 */
public final class StructInetDiagHostCond {

    public static final int HEADER_SIZE = 8;
    public static final int ANY_PORT = -1;

    private final int family;
    private final int prefixLength;
    private final int port;
    private final byte[] address;

    public StructInetDiagHostCond(int family, int prefixLength, int port, byte[] address) {
        this.family = family;
        this.prefixLength = prefixLength;
        this.port = port;
        this.address = address.clone();
    }

    /** Exactly this address, any port. */
    public static StructInetDiagHostCond exactly(InetAddress address) {
        boolean v4 = address instanceof Inet4Address;
        return new StructInetDiagHostCond(v4 ? LibC.AF_INET : LibC.AF_INET6, v4 ? 32 : 128, ANY_PORT,
                address.getAddress());
    }

    public static StructInetDiagHostCond parse(ByteBuffer buffer) {
        int family = buffer.get() & 0xff;
        int prefixLength = buffer.get() & 0xff;
        buffer.getShort();
        int port = buffer.getInt();
        byte[] address = new byte[family == LibC.AF_INET ? 4 : 16];
        buffer.get(address);
        return new StructInetDiagHostCond(family, prefixLength, port, address);
    }

    public void pack(ByteBuffer buffer) {
        buffer.put((byte) family).put((byte) prefixLength).putShort((short) 0).putInt(port).put(address);
    }

    public int size() {
        return HEADER_SIZE + address.length;
    }

    public int family() {
        return family;
    }

    public int prefixLength() {
        return prefixLength;
    }

    public int port() {
        return port;
    }

    public InetAddress address() {
        return IpLiterals.fromBytes(address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StructInetDiagHostCond other && other.family == family
                && other.prefixLength == prefixLength && other.port == port && Arrays.equals(other.address, address);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(address) * 31 + prefixLength * 7 + port;
    }

    @Override
    public String toString() {
        return "inet_diag_hostcond{family=" + family + ", prefix_len=" + prefixLength + ", port=" + port + ", addr="
                + address().getHostAddress() + "}";
    }
}
