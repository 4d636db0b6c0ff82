package org.renumber.security;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Slows down password guessing, per client address. A client's first {@value #FREE_FAILURES} failed logins cost
 * nothing; after that it must wait before its next login is even checked: 1 s after the sixth failure, doubling
 * with each further one up to 30 s. A successful login, or 15 minutes without a failure, clears the count.
 *
 * <p>Logins that arrive during the wait are refused without looking at the password, so a guesser learns
 * nothing and a flood of parallel guesses cannot buy more checks. The price: an operator on the same address
 * (on loopback, every local user) is refused too until the wait passes; the refusal says for how long.
 */
public final class LoginBackoff {

    static final int FREE_FAILURES = 5;
    private static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(30);
    private static final Duration FORGET_AFTER = Duration.ofMinutes(15);
    // A cap on remembered clients, so a spray of source addresses cannot grow the map without bound.
    private static final int MAX_CLIENTS = 10_000;

    private final Clock clock;
    private final ConcurrentMap<String, Failures> clients = new ConcurrentHashMap<>();

    public LoginBackoff(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** How long {@code client} must still wait before its next login is checked; zero when it may try now. */
    public Duration waitFor(String client) {
        Failures failures = clients.get(client);
        if (failures == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), failures.notBefore());
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Records a failed login of {@code client}; returns how long it must now wait (zero while still free). */
    public Duration failed(String client) {
        Instant now = clock.instant();
        if (clients.size() >= MAX_CLIENTS) {
            clients.values().removeIf(f -> f.forgotten(now));
        }
        Failures updated = clients.compute(client, (key, old) -> {
            int count = old == null || old.forgotten(now) ? 1 : old.count() + 1;
            return new Failures(count, now, now.plus(wait(count)));
        });
        return wait(updated.count());
    }

    /** Clears {@code client}'s failures after a successful login. */
    public void succeeded(String client) {
        clients.remove(client);
    }

    static Duration wait(int failures) {
        if (failures <= FREE_FAILURES) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - FREE_FAILURES - 1, 5);
        Duration wait = FIRST_WAIT.multipliedBy(1L << doublings);
        return wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait;
    }

    private record Failures(int count, Instant last, Instant notBefore) {
        boolean forgotten(Instant now) {
            return now.isAfter(last.plus(FORGET_AFTER)) && !now.isBefore(notBefore);
        }
    }
}
