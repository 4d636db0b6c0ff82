package org.renumber.linux.rtnl;

import java.nio.ByteBuffer;

/**
 * {@code struct rtnexthop} ({@code linux/rtnetlink.h}), 8 bytes, one path of a multipath route: RTA_MULTIPATH is a
 * sequence of these, each followed by its own route attributes (RTA_GATEWAY, RTA_VIA, ...) and padded to 4 bytes:
 * <pre>
 * unsigned short rtnh_len      this header and its attributes
 * unsigned char  rtnh_flags    RTNH_F_*
 * unsigned char  rtnh_hops     weight - 1
 * int            rtnh_ifindex
 * </pre>
 */
public record StructRtNexthop(int length, int flags, int hops, int ifindex) {

    public static final int SIZE = 8;

    public static StructRtNexthop parse(ByteBuffer buffer) {
        return new StructRtNexthop(buffer.getShort() & 0xffff, buffer.get() & 0xff, buffer.get() & 0xff,
                buffer.getInt());
    }

    public void pack(ByteBuffer buffer) {
        buffer.putShort((short) length).put((byte) flags).put((byte) hops).putInt(ifindex);
    }

    /** {@code ip route}'s {@code weight}: the kernel stores it minus one. */
    public int weight() {
        return hops + 1;
    }
}
