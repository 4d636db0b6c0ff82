package org.renumber.domain;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IP address with the prefix length it is configured with on an interface ({@code 10.9.0.1/24}).
 * The prefix matters: the kernel keys addresses by (address, prefix), so deleting one without it can
 * delete the wrong entry.
 */
public record InterfaceAddress(InetAddress address, int prefixLength) {

    public InterfaceAddress {
        Objects.requireNonNull(address, "address");
        int max = maxPrefix(address);
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException(
                    "prefix length " + prefixLength + " is out of range 0-" + max + " for " + address.getHostAddress());
        }
    }

    /** Parses {@code ADDR/PREFIX}; the prefix is required. */
    public static InterfaceAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' has no prefix length: write ADDRESS/PREFIX, e.g. 10.9.0.1/24");
        }
        return new InterfaceAddress(IpLiterals.parse(text.substring(0, slash)),
                parsePrefix(text.substring(slash + 1), text));
    }

    static int parsePrefix(String prefix, String whole) {
        if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + whole + "' has a malformed prefix length '" + prefix + "'");
        }
        return Integer.parseInt(prefix);
    }

    public static int maxPrefix(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    public AddressFamily family() {
        return AddressFamily.of(address);
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    public boolean isIpv6() {
        return address instanceof Inet6Address;
    }

    /** True when {@code other} lies in this address's subnet (same family, same network bits). */
    public boolean sameSubnet(InterfaceAddress other) {
        return prefixLength == other.prefixLength && contains(other.address);
    }

    /** True when {@code candidate} lies inside this address's network. */
    public boolean contains(InetAddress candidate) {
        byte[] a = address.getAddress();
        byte[] b = candidate.getAddress();
        if (a.length != b.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (b[full] & mask);
    }

    /** The network address of this subnet ({@code 10.9.0.0} for {@code 10.9.0.1/24}). */
    public InetAddress network() {
        byte[] bytes = address.getAddress();
        for (int bit = prefixLength; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return IpLiterals.fromBytes(bytes);
    }

    @Override
    public String toString() {
        return IpLiterals.format(address) + "/" + prefixLength;
    }
}
