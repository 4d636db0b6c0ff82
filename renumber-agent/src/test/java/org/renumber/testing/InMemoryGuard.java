package org.renumber.testing;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.renumber.domain.GuardUnavailableException;
import org.renumber.domain.port.InboundGuard;

/**
 * A firewall stand-in: the guarded addresses, kept across "restarts" when the test hands the same object to a
 * new service, as the kernel keeps nftables rules. {@link #makeUnavailable} plays a machine without nft.
 */
public final class InMemoryGuard implements InboundGuard {

    private final Map<InetAddress, Long> guards = new LinkedHashMap<>();
    private String unavailable;
    private final List<String> log = new ArrayList<>();

    /** From now on every operation fails with {@code reason}, as without the nft tool. */
    public synchronized void makeUnavailable(String reason) {
        unavailable = reason;
    }

    /** A connection attempt to {@code address} arrives: counted as refused if the address is guarded. */
    public synchronized boolean attempt(InetAddress address) {
        return guards.computeIfPresent(address, (a, refused) -> refused + 1) != null;
    }

    public synchronized boolean isGuarded(InetAddress address) {
        return guards.containsKey(address);
    }

    /** "guard ADDR" and "release ADDR" in call order (releases of unguarded addresses too). */
    public synchronized List<String> log() {
        return List.copyOf(log);
    }

    @Override
    public synchronized Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailable);
    }

    @Override
    public synchronized void guard(InetAddress address) {
        requireAvailable();
        log.add("guard " + address.getHostAddress());
        guards.putIfAbsent(address, 0L);
    }

    @Override
    public synchronized boolean release(InetAddress address) {
        if (unavailable != null) {
            throw new GuardUnavailableException(unavailable);
        }
        log.add("release " + address.getHostAddress());
        return guards.remove(address) != null;
    }

    @Override
    public synchronized List<Guard> activeGuards() {
        if (unavailable != null) {
            throw new GuardUnavailableException(unavailable);
        }
        return guards.entrySet().stream().map(e -> new Guard(e.getKey(), e.getValue())).toList();
    }
}
