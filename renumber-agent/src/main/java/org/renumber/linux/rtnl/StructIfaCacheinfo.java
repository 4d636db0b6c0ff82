package org.renumber.linux.rtnl;

import java.nio.ByteBuffer;

/**
 * {@code struct ifa_cacheinfo} ({@code linux/if_addr.h}), 16 bytes, the value of IFA_CACHEINFO:
 * <pre>
 * __u32 ifa_prefered   preferred lifetime left, seconds (0xffffffff = forever)
 * __u32 ifa_valid      valid lifetime left, seconds (0xffffffff = forever)
 * __u32 cstamp         created, hundredths of a second since boot (ignored in requests)
 * __u32 tstamp         updated, hundredths of a second since boot (ignored in requests)
 * </pre>
 * In an RTM_NEWADDR request only the two lifetimes count; the kernel keeps its own time stamps.
 */
public record StructIfaCacheinfo(long preferred, long valid, long created, long updated) {

    public static final int SIZE = 16;

    public static StructIfaCacheinfo parse(ByteBuffer buffer) {
        return new StructIfaCacheinfo(Integer.toUnsignedLong(buffer.getInt()), Integer.toUnsignedLong(buffer.getInt()),
                Integer.toUnsignedLong(buffer.getInt()), Integer.toUnsignedLong(buffer.getInt()));
    }

    public void pack(ByteBuffer buffer) {
        buffer.putInt((int) preferred).putInt((int) valid).putInt((int) created).putInt((int) updated);
    }
}
