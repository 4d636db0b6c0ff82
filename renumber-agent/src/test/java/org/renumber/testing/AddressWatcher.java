package org.renumber.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.renumber.domain.AddressFamily;
import org.renumber.domain.AddressLifetimes;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetInterface;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.rtnl.NetlinkNetworkControl;

/**
 * A witness that reads one interface's addresses by netlink every 10 ms for as long as it runs, from the test's own
 * process (so it outlives any agent it watches), and records every sample in which the interface had no usable
 * address of one family: a global one (not link-local) that new connections may use, i.e. not deprecated (IPv6).
 * Reading through netlink rather than spawning {@code ip} keeps the 10 ms period on a loaded machine.
 */
public final class AddressWatcher implements AutoCloseable {

    private static final long PERIOD_MILLIS = 10;

    private final LinuxNetns netns;
    private final NetlinkNetworkControl network;
    private final String interfaceName;
    private final AddressFamily family;
    private final List<String> gaps = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicInteger samples = new AtomicInteger();
    private final ScheduledExecutorService timer;

    private AddressWatcher(String ns, String interfaceName, AddressFamily family) {
        this.netns = LinuxNetns.open(ns);
        this.network = new NetlinkNetworkControl(netns);
        this.interfaceName = interfaceName;
        this.family = family;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "address-watcher-" + ns);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts watching {@code interfaceName} in namespace {@code ns}. */
    public static AddressWatcher start(String ns, String interfaceName, AddressFamily family) {
        AddressWatcher watcher = new AddressWatcher(ns, interfaceName, family);
        watcher.timer.scheduleWithFixedDelay(watcher::watch, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return watcher;
    }

    private void watch() {
        try {
            List<String> seen = sample();
            if (seen.stream().noneMatch(a -> a.endsWith(" usable"))) {
                gaps.add("sample " + samples.get() + ": " + seen);
            }
            samples.incrementAndGet();
        } catch (RuntimeException e) {
            errors.add(e.toString());
        }
    }

    private List<String> sample() {
        NetInterface nic = network.interfaces().stream().filter(i -> i.name().equals(interfaceName)).findFirst()
                .orElseThrow(() -> new IllegalStateException(interfaceName + " has disappeared"));
        List<String> seen = new ArrayList<>();
        for (InterfaceAddress address : nic.addresses()) {
            if (address.family() != family || address.address().isLinkLocalAddress()) {
                continue;
            }
            boolean usable = true;
            if (address.isIpv6()) {
                AddressLifetimes lifetimes = network.lifetimes(interfaceName, address);
                usable = lifetimes != null && !lifetimes.isDeprecated();
            }
            seen.add(address + (usable ? " usable" : " deprecated"));
        }
        return seen;
    }

    /** Samples without a usable address, with what the interface had then; empty is the expected result. */
    public List<String> gaps() {
        return List.copyOf(gaps);
    }

    public int samples() {
        return samples.get();
    }

    /** Samples that could not be read (a netlink error); empty is the expected result. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        network.close();
        netns.close();
    }
}
