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

    public static InetAddress fromBytes(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + bytes.length, e);
        }
    }
}
