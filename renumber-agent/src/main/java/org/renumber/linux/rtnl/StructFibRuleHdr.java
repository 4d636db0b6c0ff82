package org.renumber.linux.rtnl;

import java.nio.ByteBuffer;

/**
 * {@code struct fib_rule_hdr} ({@code linux/fib_rules.h}), 12 bytes, the fixed part of RTM_NEWRULE/DELRULE/GETRULE:
 * <pre>
 * __u8  family
 * __u8  dst_len   prefix length of FRA_DST (0: to all)
 * __u8  src_len   prefix length of FRA_SRC (0: from all)
 * __u8  tos
 * __u8  table     RT_TABLE_* (FRA_TABLE carries ids above 255)
 * __u8  res1
 * __u8  res2
 * __u8  action    FR_ACT_*
 * __u32 flags     FIB_RULE_*
 * </pre>
 */
public record StructFibRuleHdr(int family, int dstLength, int srcLength, int tos, int table, int action, int flags) {

    public static final int SIZE = 12;

    public static StructFibRuleHdr parse(ByteBuffer buffer) {
        int family = buffer.get() & 0xff;
        int dstLength = buffer.get() & 0xff;
        int srcLength = buffer.get() & 0xff;
        int tos = buffer.get() & 0xff;
        int table = buffer.get() & 0xff;
        buffer.get(); // res1
        buffer.get(); // res2
        int action = buffer.get() & 0xff;
        return new StructFibRuleHdr(family, dstLength, srcLength, tos, table, action, buffer.getInt());
    }

    public void pack(ByteBuffer buffer) {
        buffer.put((byte) family).put((byte) dstLength).put((byte) srcLength).put((byte) tos).put((byte) table)
                .put((byte) 0).put((byte) 0).put((byte) action).putInt(flags);
    }
}
