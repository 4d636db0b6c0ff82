package org.renumber.linux.netlink;

import static org.renumber.linux.netlink.NetlinkConstants.NLA_F_NESTED;
import static org.renumber.linux.netlink.NetlinkConstants.NLA_TYPE_MASK;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.renumber.domain.IpLiterals;

/**
 * {@code struct nlattr} ({@code linux/netlink.h}) and the value that follows it, padded to 4 bytes:
 * <pre>
 * __u16 nla_len    header + value, without the padding
 * __u16 nla_type   type; bit 15 = NLA_F_NESTED, bit 14 = NLA_F_NET_BYTEORDER
 * value[nla_len - 4], padding to NLA_ALIGN
 * </pre>
 * A nested attribute's value is itself a sequence of attributes ({@link #nested()}).
 */
public final class StructNlAttr {

    public static final int HEADER_SIZE = 4;

    private final int type;
    private final byte[] value;

    public StructNlAttr(int type, byte[] value) {
        if (value.length > 0xffff - HEADER_SIZE) {
            throw new IllegalArgumentException("attribute value of " + value.length + " bytes does not fit nla_len");
        }
        this.type = type & 0xffff;
        this.value = value.clone();
    }

    /** Reads one attribute at the buffer's position and moves past its padding; null when none is left. */
    public static StructNlAttr parse(ByteBuffer buffer) {
        if (buffer.remaining() < HEADER_SIZE) {
            return null;
        }
        int start = buffer.position();
        int length = buffer.getShort() & 0xffff;
        int type = buffer.getShort() & 0xffff;
        if (length < HEADER_SIZE || length - HEADER_SIZE > buffer.remaining()) {
            throw new IllegalArgumentException("malformed netlink attribute: nla_len " + length + " at offset " + start
                    + " with " + (buffer.remaining() + HEADER_SIZE) + " bytes left");
        }
        byte[] value = new byte[length - HEADER_SIZE];
        buffer.get(value);
        buffer.position(Math.min(buffer.limit(), start + StructNlMsgHdr.align(length)));
        return new StructNlAttr(type, value);
    }

    /** All attributes from the buffer's position to its limit. */
    public static List<StructNlAttr> parseAll(ByteBuffer buffer) {
        List<StructNlAttr> attributes = new ArrayList<>();
        for (StructNlAttr a = parse(buffer); a != null; a = parse(buffer)) {
            attributes.add(a);
        }
        return attributes;
    }

    /** The first attribute of this type (flags ignored), or null. */
    public static StructNlAttr find(List<StructNlAttr> attributes, int type) {
        for (StructNlAttr a : attributes) {
            if (a.kind() == type) {
                return a;
            }
        }
        return null;
    }

    public void pack(ByteBuffer buffer) {
        int start = buffer.position();
        buffer.putShort((short) (HEADER_SIZE + value.length)).putShort((short) type).put(value);
        pad(buffer, start);
    }

    /** The attribute type without the nested/byte-order flags. */
    public int kind() {
        return type & NLA_TYPE_MASK;
    }

    public int rawType() {
        return type;
    }

    public boolean isNested() {
        return (type & NLA_F_NESTED) != 0;
    }

    public int length() {
        return HEADER_SIZE + value.length;
    }

    public byte[] value() {
        return value.clone();
    }

    public ByteBuffer valueBuffer() {
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
    }

    /** The value read as attributes (whether or not the kernel set NLA_F_NESTED, which older attributes lack). */
    public List<StructNlAttr> nested() {
        return parseAll(valueBuffer());
    }

    public int asU8() {
        requireLength(1);
        return value[0] & 0xff;
    }

    /** A native-order 32-bit value, as Java int (unsigned values above 2^31 come out negative). */
    public int asU32() {
        requireLength(4);
        return valueBuffer().getInt();
    }

    /** A NUL-terminated string (interface names, labels, error messages). */
    public String asString() {
        int end = 0;
        while (end < value.length && value[end] != 0) {
            end++;
        }
        return new String(value, 0, end, StandardCharsets.UTF_8);
    }

    /** An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order. */
    public InetAddress asInetAddress() {
        if (value.length != 4 && value.length != 16) {
            throw new IllegalArgumentException("attribute " + kind() + " has " + value.length + " bytes, not an address");
        }
        return IpLiterals.fromBytes(value);
    }

    private void requireLength(int bytes) {
        if (value.length < bytes) {
            throw new IllegalArgumentException("attribute " + kind() + " has " + value.length + " bytes, needs " + bytes);
        }
    }

    // Writers for requests: they append at the buffer's position and pad to 4 bytes.

    public static void putBytes(ByteBuffer buffer, int type, byte[] value) {
        new StructNlAttr(type, value).pack(buffer);
    }

    public static void putAddress(ByteBuffer buffer, int type, InetAddress address) {
        putBytes(buffer, type, address.getAddress());
    }

    public static void putU32(ByteBuffer buffer, int type, int value) {
        buffer.putShort((short) (HEADER_SIZE + 4)).putShort((short) type).putInt(value);
    }

    /** Starts a nested attribute (NLA_F_NESTED set); returns its start for {@link #endNested}. */
    public static int beginNested(ByteBuffer buffer, int type) {
        int start = buffer.position();
        buffer.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        return start;
    }

    public static void endNested(ByteBuffer buffer, int start) {
        int length = buffer.position() - start;
        if (length > 0xffff) {
            throw new IllegalArgumentException("nested attribute of " + length + " bytes does not fit nla_len");
        }
        buffer.putShort(start, (short) length);
    }

    private static void pad(ByteBuffer buffer, int start) {
        int end = start + StructNlMsgHdr.align(buffer.position() - start);
        while (buffer.position() < end) {
            buffer.put((byte) 0);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StructNlAttr other && other.type == type && Arrays.equals(other.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "nlattr{type=" + kind() + (isNested() ? " nested" : "") + ", len=" + length() + "}";
    }
}
