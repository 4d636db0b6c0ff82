package org.renumber.linux;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.renumber.domain.InterfaceAddress;

/**
 * Addresses in messages as operators and iproute2 write them: IPv6 in the RFC 5952 form ({@code 2001:db8::1},
 * where {@link InetAddress#getHostAddress()} gives {@code 2001:db8:0:0:0:0:0:1}).
 */
final class IpText {

    private IpText() {
    }

    static String of(InterfaceAddress address) {
        return of(address.address()) + "/" + address.prefixLength();
    }

    static String of(InetAddress address) {
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
}
