package org.renumber.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.StructNlMsgHdr;

/**
 * Kernel replies captured once and checked in as hex under {@code src/test/resources/netlink/} (one file per
 * reply: {@code #} comment lines saying how it was captured, then each netlink message as hex, messages separated by
 * a blank line). The codec tests parse them without root; the capture tests ({@code *CapturesTest}, kernel) take
 * them again from the running kernel and, with {@code -Dnetlink.capture=write}, write them anew.
 */
public final class Captures {

    private static final int BYTES_PER_LINE = 32;

    private Captures() {
    }

    /** Whether this run writes the captures anew ({@code -Dnetlink.capture=write}). */
    public static boolean writing() {
        return "write".equals(System.getProperty("netlink.capture"));
    }

    /** The messages of the checked-in capture {@code name} ({@code netlink/NAME.hex} on the class path). */
    public static List<NetlinkMessage> read(String name) {
        return parse(readBytes(name));
    }

    /** The messages in {@code messages}' bytes. */
    public static List<NetlinkMessage> parse(List<byte[]> messages) {
        List<NetlinkMessage> parsed = new ArrayList<>();
        for (byte[] message : messages) {
            NetlinkMessage.forEach(ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()), parsed::add);
        }
        return parsed;
    }

    /** The bytes of each message of the checked-in capture {@code name}. */
    public static List<byte[]> readBytes(String name) {
        String text;
        try (InputStream in = Captures.class.getResourceAsStream("/netlink/" + name + ".hex")) {
            if (in == null) {
                throw new IllegalArgumentException("no capture netlink/" + name + ".hex on the class path");
            }
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<byte[]> messages = new ArrayList<>();
        StringBuilder hex = new StringBuilder();
        for (String line : (text + "\n\n").split("\n", -1)) {
            String stripped = line.strip();
            if (stripped.startsWith("#")) {
                continue;
            }
            if (stripped.isEmpty()) {
                if (!hex.isEmpty()) {
                    messages.add(HexFormat.of().parseHex(hex));
                    hex.setLength(0);
                }
            } else {
                hex.append(stripped);
            }
        }
        return messages;
    }

    /** A message's own bytes (header and payload), copied out of the receive buffer. */
    public static byte[] raw(NetlinkMessage message) {
        ByteBuffer bytes = ByteBuffer.allocate(message.header().length()).order(ByteOrder.nativeOrder());
        message.header().pack(bytes);
        bytes.put(message.body());
        return bytes.array();
    }

    /** Writes {@code messages} as the capture {@code name} into the source tree, {@code comment} first. */
    public static void write(String name, String comment, List<byte[]> messages) {
        StringBuilder text = new StringBuilder();
        comment.lines().forEach(line -> text.append("# ").append(line).append('\n'));
        for (byte[] message : messages) {
            text.append('\n');
            for (int i = 0; i < message.length; i += BYTES_PER_LINE) {
                text.append(HexFormat.of().formatHex(message, i, Math.min(message.length, i + BYTES_PER_LINE)))
                        .append('\n');
            }
        }
        try {
            Path source = source();
            Files.createDirectories(source);
            Files.writeString(source.resolve(name + ".hex"), text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The module's {@code src/test/resources/netlink}, found from {@code target/test-classes}. */
    private static Path source() throws URISyntaxException {
        Path testClasses = Path.of(Captures.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return testClasses.getParent().getParent().resolve("src/test/resources/netlink");
    }

    /** The header of the message as the kernel sent it, for comparing the rest. */
    public static StructNlMsgHdr header(byte[] message) {
        return StructNlMsgHdr.parse(ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()));
    }
}
