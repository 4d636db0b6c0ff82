package org.renumber.linux.rtnl;

import java.nio.ByteBuffer;

/**
 * {@code struct ifaddrmsg} ({@code linux/if_addr.h}), 8 bytes, the fixed part of RTM_NEWADDR/DELADDR/GETADDR:
 * <pre>
 * __u8  ifa_family
 * __u8  ifa_prefixlen
 * __u8  ifa_flags      IFA_F_* (the low 8 bits; IFA_FLAGS carries all 32)
 * __u8  ifa_scope
 * __u32 ifa_index      interface index (native order)
 * </pre>
 */
public record StructIfAddrMsg(int family, int prefixLength, int flags, int scope, int index) {

    public static final int SIZE = 8;

    public static StructIfAddrMsg parse(ByteBuffer buffer) {
        return new StructIfAddrMsg(buffer.get() & 0xff, buffer.get() & 0xff, buffer.get() & 0xff, buffer.get() & 0xff,
                buffer.getInt());
    }

    public void pack(ByteBuffer buffer) {
        buffer.put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope).putInt(index);
    }
}
