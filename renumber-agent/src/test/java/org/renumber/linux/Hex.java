package org.renumber.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.renumber.linux.netlink.NetlinkMessage;

/** Hex dumps pasted from strace ({@code -e read=FD -e write=FD}) into tests, whitespace ignored. */
public final class Hex {

    private Hex() {
    }

    public static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    /** A native-order buffer over the bytes (the captures come from an x86_64, little-endian kernel). */
    public static ByteBuffer buffer(String hex) {
        return ByteBuffer.wrap(bytes(hex)).order(ByteOrder.nativeOrder());
    }

    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The netlink messages of a captured datagram. */
    public static List<NetlinkMessage> messages(String hex) {
        List<NetlinkMessage> messages = new ArrayList<>();
        NetlinkMessage.forEach(buffer(hex), messages::add);
        return messages;
    }

    /** What {@code packer} writes into a native-order buffer of exactly {@code size} bytes. */
    public static byte[] packed(int size, Consumer<ByteBuffer> packer) {
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        packer.accept(buffer);
        assertThat(buffer.position()).as("bytes written").isEqualTo(size);
        return buffer.array();
    }
}
