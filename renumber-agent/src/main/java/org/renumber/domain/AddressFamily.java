package org.renumber.domain;

import java.net.Inet4Address;
import java.net.InetAddress;

/** IP address family, named as operators write it. */
public enum AddressFamily {
    IPV4,
    IPV6;

    public static AddressFamily of(InetAddress address) {
        return address instanceof Inet4Address ? IPV4 : IPV6;
    }
}
