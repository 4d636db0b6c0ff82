package org.renumber.linux.sockdiag;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.renumber.domain.IpLiterals;
import org.renumber.linux.LibC;

/**
 * {@code struct inet_diag_sockid} ({@code linux/inet_diag.h}), 48 bytes. Ports and addresses are in network
 * byte order (big-endian) whatever the host; the interface and cookie are in native order:
 * <pre>
 * __be16 idiag_sport
 * __be16 idiag_dport
 * __be32 idiag_src[4]     IPv4 uses the first 4 bytes
 * __be32 idiag_dst[4]
 * __u32  idiag_if
 * __u32  idiag_cookie[2]  low word first
 * </pre>
 */
public final class StructInetDiagSockId {

    public static final int SIZE = 48;
    /** "No cookie": both words all ones ({@code INET_DIAG_NOCOOKIE}). */
    public static final long NO_COOKIE = -1L;

    private final int sourcePort;
    private final int destinationPort;
    private final byte[] source;
    private final byte[] destination;
    private final int interfaceIndex;
    private final long cookie;

    public StructInetDiagSockId(int sourcePort, int destinationPort, byte[] source, byte[] destination,
            int interfaceIndex, long cookie) {
        this.sourcePort = sourcePort & 0xffff;
        this.destinationPort = destinationPort & 0xffff;
        this.source = Arrays.copyOf(source, 16);
        this.destination = Arrays.copyOf(destination, 16);
        this.interfaceIndex = interfaceIndex;
        this.cookie = cookie;
    }

    /** The all-zero id a dump request carries. */
    public static StructInetDiagSockId any() {
        return new StructInetDiagSockId(0, 0, new byte[16], new byte[16], 0, 0);
    }

    public static StructInetDiagSockId parse(ByteBuffer buffer) {
        int sport = bigEndianU16(buffer);
        int dport = bigEndianU16(buffer);
        byte[] src = new byte[16];
        buffer.get(src);
        byte[] dst = new byte[16];
        buffer.get(dst);
        int ifindex = buffer.getInt();
        long low = Integer.toUnsignedLong(buffer.getInt());
        long high = Integer.toUnsignedLong(buffer.getInt());
        return new StructInetDiagSockId(sport, dport, src, dst, ifindex, (high << 32) | low);
    }

    public void pack(ByteBuffer buffer) {
        buffer.put((byte) (sourcePort >>> 8)).put((byte) sourcePort);
        buffer.put((byte) (destinationPort >>> 8)).put((byte) destinationPort);
        buffer.put(source).put(destination);
        buffer.putInt(interfaceIndex).putInt((int) cookie).putInt((int) (cookie >>> 32));
    }

    private static int bigEndianU16(ByteBuffer buffer) {
        return ((buffer.get() & 0xff) << 8) | (buffer.get() & 0xff);
    }

    public int sourcePort() {
        return sourcePort;
    }

    public int destinationPort() {
        return destinationPort;
    }

    public int interfaceIndex() {
        return interfaceIndex;
    }

    public long cookie() {
        return cookie;
    }

    /**
     * The local address of a socket of {@code family}. Java turns an IPv4-mapped IPv6 address
     * ({@code ::ffff:a.b.c.d}, a dual-stack socket talking IPv4) into the IPv4 address, which is what callers
     * compare with.
     */
    public InetAddress sourceAddress(int family) {
        return address(source, family);
    }

    public InetAddress destinationAddress(int family) {
        return address(destination, family);
    }

    public InetSocketAddress local(int family) {
        return new InetSocketAddress(sourceAddress(family), sourcePort);
    }

    public InetSocketAddress remote(int family) {
        return new InetSocketAddress(destinationAddress(family), destinationPort);
    }

    private static InetAddress address(byte[] bytes, int family) {
        return IpLiterals.fromBytes(family == LibC.AF_INET ? Arrays.copyOf(bytes, 4) : bytes.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StructInetDiagSockId other && other.sourcePort == sourcePort
                && other.destinationPort == destinationPort && Arrays.equals(other.source, source)
                && Arrays.equals(other.destination, destination) && other.interfaceIndex == interfaceIndex
                && other.cookie == cookie;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(source) * 31 + sourcePort * 17 + destinationPort + Long.hashCode(cookie);
    }

    @Override
    public String toString() {
        return "inet_diag_sockid{sport=" + sourcePort + ", dport=" + destinationPort + ", if=" + interfaceIndex
                + ", cookie=" + Long.toUnsignedString(cookie) + "}";
    }
}
