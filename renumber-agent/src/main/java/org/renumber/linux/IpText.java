package org.renumber.linux;

import java.net.InetAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;

/**
 * Addresses in messages as operators and iproute2 write them: IPv6 in the RFC 5952 form ({@code 2001:db8::1},
 * where {@link InetAddress#getHostAddress()} gives {@code 2001:db8:0:0:0:0:0:1}).
 */
public final class IpText {

    private IpText() {
    }

    public static String of(InterfaceAddress address) {
        return of(address.address()) + "/" + address.prefixLength();
    }

    public static String of(InetAddress address) {
        return IpLiterals.format(address);
    }
}
