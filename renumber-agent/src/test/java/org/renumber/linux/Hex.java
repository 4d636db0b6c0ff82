package org.renumber.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/** Hex dumps pasted from strace ({@code -e read=FD -e write=FD}) into tests, whitespace ignored. */
final class Hex {

    private Hex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    /** A native-order buffer over the bytes (the captures come from an x86_64, little-endian kernel). */
    static ByteBuffer buffer(String hex) {
        return ByteBuffer.wrap(bytes(hex)).order(ByteOrder.nativeOrder());
    }

    static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
