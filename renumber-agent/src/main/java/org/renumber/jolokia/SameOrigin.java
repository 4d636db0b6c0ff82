package org.renumber.jolokia;

import com.sun.net.httpserver.Headers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses requests a browser makes on behalf of a page from another origin. Basic credentials are cached by the
 * browser for the agent's address, so without this check any page the operator visits could POST an
 * {@code exec} (a {@code text/plain} POST needs no CORS preflight) and the browser would attach them.
 *
 * <p>Browsers say where a request comes from; other clients (curl, scripts, the Java clients) send none of
 * these headers and pass. A request is refused when {@code Sec-Fetch-Site} says {@code cross-site} or
 * {@code same-site} (another port of the same host is another origin), when its {@code Origin} is not the
 * agent's own, or, without an {@code Origin}, when its {@code Referer} is from another origin. The agent's own
 * origin is {@code http://HOST:PORT} for the address it listens on, and for {@code 127.0.0.1},
 * {@code localhost} and {@code [::1]} when that address is loopback.
 */
final class SameOrigin {

    private final Set<String> own;

    private SameOrigin(Set<String> own) {
        this.own = Set.copyOf(own);
    }

    static SameOrigin of(InetSocketAddress listening) {
        InetAddress address = listening.getAddress();
        int port = listening.getPort();
        Set<String> hosts = new LinkedHashSet<>();
        String literal = address.getHostAddress();
        hosts.add(literal.indexOf(':') >= 0 ? "[" + literal + "]" : literal);
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            hosts.add("127.0.0.1");
            hosts.add("localhost");
            hosts.add("[::1]");
        }
        Set<String> origins = new LinkedHashSet<>();
        for (String host : hosts) {
            origins.add("http://" + host + ":" + port);
            if (port == 80) {
                origins.add("http://" + host);
            }
        }
        return new SameOrigin(origins);
    }

    /** Why a request with these headers is refused, or null when it may proceed. */
    String refusal(Headers headers) {
        String site = headers.getFirst("Sec-Fetch-Site");
        if (site != null && (site.equalsIgnoreCase("cross-site") || site.equalsIgnoreCase("same-site"))) {
            return "the browser marks it " + site.toLowerCase(Locale.ROOT) + " (Sec-Fetch-Site)";
        }
        String origin = headers.getFirst("Origin");
        if (origin != null) {
            return own.contains(origin.strip().toLowerCase(Locale.ROOT)) ? null
                    : "it comes from the origin '" + printable(origin) + "', not the agent's own";
        }
        String referer = headers.getFirst("Referer");
        if (referer != null && !own.contains(originOf(referer))) {
            return "it comes from a page at '" + printable(referer) + "', not the agent's own origin";
        }
        return null;
    }

    /** The origins accepted, for the log. */
    Set<String> origins() {
        return own;
    }

    private static String originOf(String url) {
        try {
            URI uri = URI.create(url.strip());
            if (uri.getScheme() == null || uri.getRawAuthority() == null) {
                return "";
            }
            return (uri.getScheme() + "://" + uri.getRawAuthority()).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String printable(String text) {
        String cleaned = text.replaceAll("\\p{Cntrl}", "?");
        return cleaned.length() > 100 ? cleaned.substring(0, 100) + "..." : cleaned;
    }
}
