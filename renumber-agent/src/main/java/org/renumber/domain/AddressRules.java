package org.renumber.domain;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses a change may move from and to, checked before anything is touched. Each refusal names the
 * argument and what is accepted.
 */
public final class AddressRules {

    private AddressRules() {
    }

    /** The interface named {@code name} among {@code interfaces}. */
    public static NetInterface requireInterface(List<NetInterface> interfaces, String name) {
        return interfaces.stream().filter(i -> i.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown interface '" + name + "'; interfaces: "
                        + interfaces.stream().map(NetInterface::name).toList()));
    }

    /**
     * The old address as configured on {@code nic}: {@code text} is an address, with or without its prefix. An
     * IPv6 link-local address is refused: the kernel keeps one per interface for neighbour discovery.
     */
    public static InterfaceAddress resolveOld(NetInterface nic, String text) {
        int slash = text.indexOf('/');
        InetAddress address = IpLiterals.parse(slash < 0 ? text : text.substring(0, slash));
        InterfaceAddress configured = nic.find(address).orElseThrow(() -> new IllegalArgumentException(
                "old address " + IpLiterals.format(address) + " is not configured on " + nic.name()
                        + "; its addresses are " + nic.addresses()));
        if (slash >= 0 && !InterfaceAddress.parse(text).equals(configured)) {
            throw new IllegalArgumentException("old address " + text + " does not match " + configured
                    + " as configured on " + nic.name());
        }
        if (address.isLinkLocalAddress() && address instanceof Inet6Address) {
            throw new IllegalArgumentException("old address " + configured + " is an IPv6 link-local address"
                    + " (fe80::/10): the kernel keeps one per interface for neighbour discovery, it is not renumbered;"
                    + " give a global or unique local address");
        }
        return configured;
    }

    /**
     * The new address: {@code ADDRESS/PREFIX}, or a bare address that takes the old one's prefix. It must be of the
     * old address's family, another address, and one an interface can be given.
     */
    public static InterfaceAddress parseNew(String text, InterfaceAddress old) {
        InterfaceAddress fresh;
        try {
            fresh = text.indexOf('/') < 0
                    ? new InterfaceAddress(IpLiterals.parse(text), old.prefixLength())
                    : InterfaceAddress.parse(text);
        } catch (IllegalArgumentException e) {
            // The parser's message names the piece it could not read; this names the argument and the form.
            throw new IllegalArgumentException("new address " + text + " is not ADDRESS/PREFIX (e.g. 10.9.1.1/24 or "
                    + "2001:db8::1/64; prefix 1-32 for IPv4, 1-128 for IPv6): " + e.getMessage(), e);
        }
        if (fresh.family() != old.family()) {
            throw new IllegalArgumentException("new address " + text + " is " + fresh.family() + " but the old address "
                    + old + " is " + old.family() + "; both must be of the same family");
        }
        if (fresh.address().equals(old.address())) {
            throw new IllegalArgumentException("new address " + text + " is the old address; nothing to change");
        }
        if (fresh.isIpv4()) {
            refuseUnassignableIpv4(fresh, text);
        }
        InetAddress a = fresh.address();
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isMulticastAddress()) {
            throw new IllegalArgumentException("new address " + text + " is a wildcard, loopback or multicast address");
        }
        if (fresh.prefixLength() == 0) {
            throw new IllegalArgumentException("new address " + text + " has prefix length 0; give the subnet's prefix");
        }
        if (fresh.isIpv4() && fresh.prefixLength() < 31
                && (fresh.address().equals(fresh.network()) || isBroadcast(fresh))) {
            throw new IllegalArgumentException("new address " + text + " is the network or broadcast address of its subnet");
        }
        if (fresh.isIpv6()) {
            refuseUnassignableIpv6(fresh, text);
        }
        return fresh;
    }

    /**
     * Refuses a new address already configured on some interface. A migration may reuse one already on its own
     * interface (an earlier migration added it), with the prefix it has there.
     *
     * @param newMayBeOnInterface whether {@code fresh} may already be on {@code ifName}
     */
    public static void refuseNewInUse(List<NetInterface> interfaces, String ifName, InterfaceAddress fresh,
                                      String newText, boolean newMayBeOnInterface) {
        for (NetInterface other : interfaces) {
            Optional<InterfaceAddress> present = other.find(fresh.address());
            if (present.isEmpty()) {
                continue;
            }
            if (newMayBeOnInterface && other.name().equals(ifName)) {
                if (!present.get().equals(fresh)) {
                    throw new IllegalArgumentException("new address " + newText + " is configured on " + ifName
                            + " as " + present.get() + "; give it with that prefix");
                }
                continue;
            }
            throw new IllegalArgumentException("new address " + IpLiterals.format(fresh.address())
                    + " is already configured on " + other.name() + "; pick an unused address");
        }
    }

    private static final String IPV4_ACCEPTED = "give a unicast address outside 0.0.0.0/8, 127.0.0.0/8, "
            + "169.254.0.0/16, 224.0.0.0/4 and 240.0.0.0/4";

    /**
     * An IPv4 interface address is unicast and assignable: not "this network" (0/8, RFC 1122), loopback (127/8),
     * link-local (169.254/16, RFC 3927: the kernel's and zeroconf's, like IPv6 link-local), multicast (224/4) or the
     * reserved class E (240/4, with the limited broadcast 255.255.255.255), which the kernel refuses or misroutes.
     */
    static void refuseUnassignableIpv4(InterfaceAddress fresh, String text) {
        byte[] bytes = fresh.address().getAddress();
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        String what = first == 0 ? "in 0.0.0.0/8 (\"this network\")"
                : first == 127 ? "a loopback address (127.0.0.0/8)"
                : first == 169 && second == 254 ? "an IPv4 link-local address (169.254.0.0/16); link-local "
                        + "addresses are not renumbered"
                : first >= 224 && first < 240 ? "an IPv4 multicast address (224.0.0.0/4)"
                : first >= 240 ? "in the reserved range 240.0.0.0/4 (class E, with the limited broadcast "
                        + "255.255.255.255)"
                : null;
        if (what != null) {
            throw new IllegalArgumentException("new address " + text + " is " + what + ": " + IPV4_ACCEPTED);
        }
    }

    /**
     * An interface gets global unicast (2000::/3) or unique local (fc00::/7, RFC 4193) addresses from a change;
     * link-local ones belong to the kernel, and the rest of the space is reserved or special (RFC 4291).
     */
    static void refuseUnassignableIpv6(InterfaceAddress fresh, String text) {
        InetAddress a = fresh.address();
        if (a.isLinkLocalAddress()) {
            throw new IllegalArgumentException("new address " + text + " is an IPv6 link-local address (fe80::/10);"
                    + " link-local addresses are not renumbered: give a global or unique local address");
        }
        int first = a.getAddress()[0] & 0xff;
        boolean global = (first & 0xe0) == 0x20;
        boolean uniqueLocal = (first & 0xfe) == 0xfc;
        if (!global && !uniqueLocal) {
            throw new IllegalArgumentException("new address " + text + " is neither a global unicast (2000::/3) nor"
                    + " a unique local (fc00::/7) IPv6 address");
        }
        // RFC 4291 2.6.1: all host bits zero is the subnet-router anycast address (RFC 6164 exempts /127).
        if (fresh.prefixLength() < 127 && a.equals(fresh.network())) {
            throw new IllegalArgumentException("new address " + text + " is the subnet-router anycast address of its"
                    + " prefix (all host bits zero); pick another address in " + IpLiterals.format(fresh.network())
                    + "/" + fresh.prefixLength());
        }
    }

    /** Whether an IPv4 address has every host bit set: its subnet's broadcast address. */
    static boolean isBroadcast(InterfaceAddress a) {
        byte[] bytes = a.address().getAddress();
        for (int bit = a.prefixLength(); bit < 32; bit++) {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) == 0) {
                return false;
            }
        }
        return true;
    }
}
