package org.renumber.monitor;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.monitor.InterfaceSteps.Entry;
import org.renumber.monitor.InterfaceSteps.Step;

/**
 * Recognises, per interface, a renumbering done by hand in the kernel's address events: the old primary address
 * removed, a new address added, and the old address configured again (as an alias, e.g. label {@code eth0:0}), in
 * any order, all inside the window. IPv4 and IPv6 alike.
 *
 * <p>It reasons about each address's steps inside the window, not about single events, so that it coalesces
 * what real tools and the kernel emit:
 * <ul>
 * <li>the <b>old</b> address was configured before its first step in the window, had a primary (not
 *     secondary) removal that was not just a netmask change (the same address and label back at once with
 *     another prefix), and is configured again now;</li>
 * <li>the <b>new</b> address was not configured before its first step in the window and is configured now, of the
 *     same family;</li>
 * <li>{@code ifconfig ADDR} is a delete and an add with the classful prefix, and {@code netmask} another delete
 *     and add of the same address: only presence counts, so these pairs collapse. A pattern completed by an
 *     IPv4 address with its classful prefix waits the settle time for a netmask to follow, so the detection
 *     names the final prefix;</li>
 * <li>the kernel deletes and re-adds a secondary when it promotes it: a secondary's removal never makes an
 *     old address;</li>
 * <li>updates of a configured address (IPv6 DAD, lifetimes) are not steps; loopback, multicast and IPv6
 *     link-local addresses are ignored.</li>
 * </ul>
 * Addresses of the agent's own changes (running, or finished within the window) are ignored. Each pattern is
 * reported once: its steps are consumed.
 *
 * <p>An address removed while connections use it and not configured again within the window is reported as
 * an {@link AddressLoss}, with the count taken right after the removal (the kernel keeps the sockets, so the
 * count is still there to take; later they time out).
 *
 * <p>Not thread-safe: one thread feeds it ({@link #accept}) and calls {@link #tick} at {@link #nextDeadline}.
 */
public final class RenumberingDetector {


    /**
     * Counts live connections on an address (the ConnectionTracker), started at once and answered when done: a
     * count walks the kernel's whole socket table (about 28 ms at 100,000 sockets), and the steps that follow a
     * removal must not wait behind it. Only a loss needs the number, and only once its window has passed.
     */
    @FunctionalInterface
    public interface ConnectionCounter {
        CompletableFuture<Integer> count(InetAddress address);
    }

    /** The old and new addresses of the agent's own changes: running, or finished at or after {@code since}. */
    @FunctionalInterface
    public interface AgentAddresses {
        Set<InetAddress> busySince(Instant since);
    }

    private final Clock clock;
    private final ConnectionCounter counter;
    private final AgentAddresses agent;
    private Duration window;
    private Duration settle;
    private final Map<String, InterfaceSteps> interfaces = new TreeMap<>();
    private final Map<Key, PendingLoss> pendingLosses = new LinkedHashMap<>();
    private Instant settleDeadline;

    public RenumberingDetector(Duration window, Duration settle, Clock clock, ConnectionCounter counter,
                               AgentAddresses agent) {
        this.clock = requireNonNull(clock, "clock");
        this.counter = requireNonNull(counter, "counter");
        this.agent = requireNonNull(agent, "agent");
        setWindow(window);
        setSettle(settle);
    }

    public Duration window() {
        return window;
    }

    /** Changes the window; steps already seen are judged by the new one from now on. */
    public void setWindow(Duration window) {
        requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        this.window = window;
    }

    public Duration settle() {
        return settle;
    }

    /** Changes the settle time; a pattern already waiting is judged by the new one at the next {@link #tick}. */
    public void setSettle(Duration settle) {
        requireNonNull(settle, "settle");
        if (settle.isNegative()) {
            throw new IllegalArgumentException("settle time must not be negative, got " + settle);
        }
        this.settle = settle;
    }

    /** Starts over from the addresses configured now: forgets every step, pending loss and deferred pattern. */
    public void reset(List<ConfiguredAddress> configured) {
        interfaces.clear();
        pendingLosses.clear();
        settleDeadline = null;
        Instant now = clock.instant();
        for (ConfiguredAddress address : configured) {
            if (!ignored(address.address().address())) {
                nic(address.interfaceName()).configure(address, now);
            }
        }
    }

    /**
     * Catches up after events were lost (the source failed and was watched again): the difference between what is
     * configured now and what the detector knew becomes events at the current time, removals first, so steps
     * inside the window are kept and a renumbering done across the gap is still recognised.
     */
    public List<Finding> resync(List<ConfiguredAddress> configured) {
        Map<Slot, ConfiguredAddress> known = new LinkedHashMap<>();
        for (InterfaceSteps nic : interfaces.values()) {
            nic.configured.values().forEach(prefixes -> prefixes.values().forEach(
                    entry -> known.put(Slot.of(entry.address()), entry.address())));
        }
        Map<Slot, ConfiguredAddress> now = new LinkedHashMap<>();
        for (ConfiguredAddress address : configured) {
            if (!ignored(address.address().address())) {
                now.put(Slot.of(address), address);
            }
        }
        return accept(AddressEvent.difference(known, now, clock.instant()));
    }

    /** Takes a batch of events (in kernel order) and returns what they complete. */
    public List<Finding> accept(List<AddressEvent> batch) {
        Instant now = clock.instant();
        Set<InetAddress> busy = agent.busySince(now.minus(window));
        Map<Key, AddressEvent> removed = new LinkedHashMap<>();
        for (AddressEvent event : batch) {
            InetAddress ip = event.address().address();
            if (ignored(ip)) {
                continue;
            }
            InterfaceSteps nic = nic(event.interfaceName());
            Key key = new Key(event.interfaceName(), ip);
            long sequence = ++nic.sequence;
            boolean presentBefore = nic.isPresent(ip);
            boolean known = nic.has(event.address());
            if (event.isAdded()) {
                nic.configure(event.configured(), event.time());
            } else {
                nic.unconfigure(event.address());
            }
            if (busy.contains(ip)) {
                nic.steps.remove(ip);
                pendingLosses.remove(key);
                removed.remove(key);
                continue;
            }
            if (event.isAdded() && known) {
                continue; // an update of an address already configured, not a step
            }
            // A removal means it was configured, whether or not this detector had seen it.
            nic.steps.computeIfAbsent(ip, k -> new ArrayList<>())
                    .add(new Step(event, presentBefore || !event.isAdded(), sequence));
            if (event.isAdded()) {
                pendingLosses.remove(key);
                removed.remove(key);
            } else {
                removed.put(key, event);
            }
        }
        // Count right after the removal, and only for addresses really gone (not ifconfig's delete-then-add).
        for (Map.Entry<Key, AddressEvent> entry : removed.entrySet()) {
            Key key = entry.getKey();
            if (!nic(key.interfaceName()).isPresent(key.address())) {
                pendingLosses.put(key, new PendingLoss(entry.getValue(), counter.count(key.address())));
            }
        }
        return evaluate(now, busy);
    }

    /** Reports what time alone decides: losses whose window passed, patterns that have settled. */
    public List<Finding> tick() {
        Instant now = clock.instant();
        return evaluate(now, agent.busySince(now.minus(window)));
    }

    /** When {@link #tick} next has something to decide (a step leaving the window, a loss, a settle), if ever. */
    public Optional<Instant> nextDeadline() {
        Stream<Instant> steps = interfaces.values().stream().flatMap(n -> n.steps.values().stream())
                .map(list -> list.get(0).event().time().plus(window));
        Stream<Instant> losses = pendingLosses.values().stream().map(l -> l.removal().time().plus(window));
        Stream<Instant> settling = Stream.ofNullable(settleDeadline);
        return Stream.of(steps, losses, settling).flatMap(s -> s).min(Comparator.naturalOrder());
    }

    /** The steps inside the window and the pending losses, one readable line each, for operators. */
    public List<String> pendingSteps() {
        List<String> lines = new ArrayList<>();
        for (InterfaceSteps nic : interfaces.values()) {
            nic.steps.values().stream().flatMap(List::stream).sorted(Comparator.comparing(s -> s.event().time()))
                    .forEach(s -> lines.add(s.event().time() + " " + s.event().describe()));
        }
        for (PendingLoss loss : pendingLosses.values()) {
            Integer connections = loss.connections().getNow(null);
            if (connections != null && connections == 0) {
                continue;
            }
            AddressEvent removal = loss.removal();
            lines.add(removal.time() + " " + removal.interfaceName() + ": " + removal.configured().describe()
                    + " removed with " + (connections == null ? "(still counting)" : connections)
                    + " connection(s); reported lost at " + removal.time().plus(window) + " unless configured again");
        }
        return lines;
    }

    private List<Finding> evaluate(Instant now, Set<InetAddress> busy) {
        List<Finding> findings = new ArrayList<>();
        Instant horizon = now.minus(window);
        for (InterfaceSteps nic : interfaces.values()) {
            nic.steps.values().forEach(list -> list.removeIf(s -> !s.event().time().isAfter(horizon)));
            nic.steps.values().removeIf(List::isEmpty);
        }
        for (Iterator<PendingLoss> it = pendingLosses.values().iterator(); it.hasNext(); ) {
            PendingLoss loss = it.next();
            AddressEvent removal = loss.removal();
            if (removal.time().isAfter(horizon)) {
                continue;
            }
            it.remove();
            InetAddress ip = removal.address().address();
            if (nic(removal.interfaceName()).isPresent(ip) || busy.contains(ip)) {
                continue;
            }
            // Started a window ago: long done, unless the machine is in trouble, and then the number is worth it.
            int connections = loss.connections().join();
            if (connections > 0) {
                findings.add(new AddressLoss(removal.interfaceName(), removal.configured(), connections,
                        removal.time()));
            }
        }
        settleDeadline = null;
        for (InterfaceSteps nic : interfaces.values()) {
            detect(nic, now, busy, findings);
        }
        return findings;
    }

    private void detect(InterfaceSteps nic, Instant now, Set<InetAddress> busy, List<Finding> findings) {
        List<InetAddress> olds = nic.steps.keySet().stream().filter(ip -> !busy.contains(ip) && nic.isOld(ip))
                .sorted(Comparator.comparing(ip -> nic.firstStep(ip))).toList();
        List<InetAddress> news = new ArrayList<>(nic.steps.keySet().stream()
                .filter(ip -> !busy.contains(ip) && nic.isNew(ip))
                .sorted(Comparator.comparing(ip -> nic.firstStep(ip))).toList());
        for (InetAddress old : olds) {
            Optional<InetAddress> fresh = news.stream()
                    .filter(ip -> !ip.equals(old) && sameFamily(ip, old)).findFirst();
            if (fresh.isEmpty()) {
                continue;
            }
            Entry oldEntry = nic.current(old);
            Entry newEntry = nic.current(fresh.get());
            Instant settled = Stream.of(settleTime(oldEntry), settleTime(newEntry)).flatMap(Optional::stream)
                    .max(Comparator.naturalOrder()).orElse(null);
            if (settled != null && now.isBefore(settled)) {
                settleDeadline = settleDeadline == null || settled.isBefore(settleDeadline) ? settled : settleDeadline;
                continue;
            }
            Instant completedAt = Stream.concat(nic.steps.get(old).stream(), nic.steps.get(fresh.get()).stream())
                    .map(s -> s.event().time()).max(Comparator.naturalOrder()).orElseThrow();
            findings.add(new Renumbering(nic.name, oldEntry.address(), newEntry.address(), completedAt));
            nic.steps.remove(old);
            nic.steps.remove(fresh.get());
            pendingLosses.remove(new Key(nic.name, old));
            pendingLosses.remove(new Key(nic.name, fresh.get()));
            news.remove(fresh.get());
        }
    }

    /**
     * ifconfig sets an address with its classful prefix first and the netmask in a second delete and add: an
     * IPv4 address just configured with its classful prefix may be about to change.
     */
    private Optional<Instant> settleTime(Entry entry) {
        InterfaceAddress a = entry.address().address();
        if (!a.isIpv4() || a.prefixLength() != classfulPrefix(a.address())) {
            return Optional.empty();
        }
        return Optional.of(entry.since().plus(settle));
    }

    static int classfulPrefix(InetAddress ipv4) {
        int first = ipv4.getAddress()[0] & 0xff;
        return first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : -1;
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return (a instanceof Inet4Address) == (b instanceof Inet4Address);
    }

    private static boolean ignored(InetAddress ip) {
        return ip.isLoopbackAddress() || ip.isMulticastAddress() || ip.isAnyLocalAddress()
                || (ip instanceof Inet6Address && ip.isLinkLocalAddress());
    }

    private InterfaceSteps nic(String name) {
        return interfaces.computeIfAbsent(name, InterfaceSteps::new);
    }

    /** An address removed and not configured again (yet), with the count of its connections started then. */
    private record PendingLoss(AddressEvent removal, CompletableFuture<Integer> connections) {
    }

    private record Key(String interfaceName, InetAddress address) {
    }

    /** Where the kernel keeps an address: interface, address and prefix. */
    private record Slot(String interfaceName, InterfaceAddress address) {
        static Slot of(ConfiguredAddress configured) {
            return new Slot(configured.interfaceName(), configured.address());
        }
    }
}
