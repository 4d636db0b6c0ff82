package org.renumber.domain;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Strict parsing of IP address literals. {@link InetAddress#getByName} would resolve host names through
 * DNS and accept forms such as {@code 10.1} or {@code 012.0.0.1}; an operator typing an address must get
 * exactly the address they typed or an error.
 */
public final class IpLiterals {

    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private IpLiterals() {
    }

    public static InetAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an IP address is required");
        }
        String trimmed = text.strip();
        if (IPV4.matcher(trimmed).matches()) {
            return byLiteral(trimmed);
        }
        if (trimmed.indexOf(':') >= 0 && IPV6_CHARS.matcher(trimmed).matches()) {
            InetAddress address = byLiteral(trimmed);
            // Java folds ::ffff:a.b.c.d into an Inet4Address; keep the family the operator wrote visible.
            if (!(address instanceof Inet6Address) && !trimmed.contains(".")) {
                throw new IllegalArgumentException("'" + text + "' is not a valid IP address");
            }
            return address;
        }
        throw new IllegalArgumentException("'" + text + "' is not a valid IP address literal (e.g. 10.9.0.1 or 2001:db8::1)");
    }

    private static InetAddress byLiteral(String literal) {
        try {
            // A literal never triggers a lookup; the patterns above ensure it is one.
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + literal + "' is not a valid IP address", e);
        }
    }

    /**
     * The address as operators and iproute2 write it: IPv6 in the RFC 5952 form ({@code 2001:db8::1}, where
     * {@link InetAddress#getHostAddress()} gives {@code 2001:db8:0:0:0:0:0:1}), IPv4 dotted.
     */
    public static String format(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero groups (the first of equals) becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    public static InetAddress fromBytes(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + bytes.length, e);
        }
    }
}
