package org.renumber.linux.rtnl;

import java.nio.ByteBuffer;

/**
 * {@code struct rtmsg} ({@code linux/rtnetlink.h}), 12 bytes, the fixed part of RTM_NEWROUTE/DELROUTE/GETROUTE:
 * <pre>
 * unsigned char rtm_family
 * unsigned char rtm_dst_len
 * unsigned char rtm_src_len
 * unsigned char rtm_tos
 * unsigned char rtm_table     RT_TABLE_* (RTA_TABLE carries ids above 255)
 * unsigned char rtm_protocol  RTPROT_*
 * unsigned char rtm_scope     RT_SCOPE_*
 * unsigned char rtm_type      RTN_*
 * unsigned int  rtm_flags
 * </pre>
 */
public record StructRtMsg(int family, int dstLength, int srcLength, int tos, int table, int protocol, int scope,
        int type, int flags) {

    public static final int SIZE = 12;

    public static StructRtMsg parse(ByteBuffer buffer) {
        return new StructRtMsg(buffer.get() & 0xff, buffer.get() & 0xff, buffer.get() & 0xff, buffer.get() & 0xff,
                buffer.get() & 0xff, buffer.get() & 0xff, buffer.get() & 0xff, buffer.get() & 0xff, buffer.getInt());
    }

    public void pack(ByteBuffer buffer) {
        buffer.put((byte) family).put((byte) dstLength).put((byte) srcLength).put((byte) tos).put((byte) table)
                .put((byte) protocol).put((byte) scope).put((byte) type).putInt(flags);
    }
}
