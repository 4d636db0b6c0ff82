package org.renumber.domain;

import java.net.InetAddress;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An application's wish to be told about address changes.
 *
 * @param subscriberId unique id, also the Subscription MBean key
 * @param group        optional group name ("" for none), targeted with {@code group:NAME}
 * @param scope        "" for every change, an IP address, or an interface name
 * @param pid          the subscribed application's process id as it recorded it (the client library does),
 *                     0 when unknown; a process id means something only in the agent's PID namespace
 */
public record Subscription(String subscriberId, String group, String scope, long pid) {

    /** Characters that are safe unquoted in an ObjectName value and in a targets list. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,14}");

    public Subscription {
        Objects.requireNonNull(subscriberId, "subscriberId");
        group = group == null ? "" : group.strip();
        scope = scope == null ? "" : scope.strip();
        if (!NAME.matcher(subscriberId).matches()) {
            throw new IllegalArgumentException("subscriber id '" + subscriberId
                    + "' is invalid: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
        }
        if (!group.isEmpty() && !NAME.matcher(group).matches()) {
            throw new IllegalArgumentException("group '" + group
                    + "' is invalid: use 1-64 letters, digits, '.', '_', '@' or '-', or leave it empty");
        }
        if (!scope.isEmpty() && !looksLikeAddress(scope) && !INTERFACE.matcher(scope).matches()) {
            throw new IllegalArgumentException("scope '" + scope
                    + "' is neither empty, an IP address, nor an interface name (at most 15 characters)");
        }
        if (looksLikeAddress(scope)) {
            scope = IpLiterals.parse(scope).getHostAddress();
        }
        if (pid < 0) {
            throw new IllegalArgumentException("pid " + pid + " is invalid: use a process id, or 0 for unknown");
        }
    }

    /** A subscription whose application has not recorded its process id (yet). */
    public Subscription(String subscriberId, String group, String scope) {
        this(subscriberId, group, scope, 0);
    }

    public Subscription withPid(long newPid) {
        return new Subscription(subscriberId, group, scope, newPid);
    }

    private static boolean looksLikeAddress(String scope) {
        return !scope.isEmpty()
                && (scope.indexOf(':') >= 0 || scope.chars().allMatch(c -> c == '.' || Character.isDigit(c)));
    }

    /** Whether a change of {@code oldAddress} on {@code interfaceName} is in this subscription's scope. */
    public boolean covers(String interfaceName, InetAddress oldAddress) {
        return scope.isEmpty() || scope.equals(interfaceName) || scope.equals(oldAddress.getHostAddress());
    }
}
