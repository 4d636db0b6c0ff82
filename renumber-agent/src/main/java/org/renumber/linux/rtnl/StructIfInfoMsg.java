package org.renumber.linux.rtnl;

import java.nio.ByteBuffer;

/**
 * {@code struct ifinfomsg} ({@code linux/rtnetlink.h}), 16 bytes, the fixed part of RTM_NEWLINK/GETLINK/SETLINK:
 * <pre>
 * unsigned char  ifi_family
 * unsigned char  __ifi_pad
 * unsigned short ifi_type     ARPHRD_*
 * int            ifi_index
 * unsigned int   ifi_flags    IFF_*
 * unsigned int   ifi_change
 * </pre>
 */
public record StructIfInfoMsg(int family, int type, int index, int flags, int change) {

    public static final int SIZE = 16;

    public static StructIfInfoMsg parse(ByteBuffer buffer) {
        int family = buffer.get() & 0xff;
        buffer.get();
        return new StructIfInfoMsg(family, buffer.getShort() & 0xffff, buffer.getInt(), buffer.getInt(), buffer.getInt());
    }

    public void pack(ByteBuffer buffer) {
        buffer.put((byte) family).put((byte) 0).putShort((short) type).putInt(index).putInt(flags).putInt(change);
    }
}
