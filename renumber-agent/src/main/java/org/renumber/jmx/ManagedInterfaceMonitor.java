package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import org.renumber.domain.port.NetworkControl;
import org.renumber.monitor.InterfaceMonitor;
import org.weakref.jmx.Managed;

/**
 * {@code renumber:type=InterfaceMonitor}: recognises a renumbering done by hand with ip or ifconfig and runs the
 * change workflow around it; its settings are persisted in the state directory. Emits
 * {@code renumber.interface.changed}, {@code renumber.address.lost}, {@code renumber.monitor.failed} and
 * {@code renumber.monitor.recovered} (see {@link MonitorNotifications}).
 */
@MBeanDescription(description = "Watches the kernel's address events: an operator who renumbers by hand (old primary "
        + "removed, new address added, old re-added as an alias, in any order within WindowMillis) gets the change "
        + "workflow around it; an address removed under live connections is reported lost. Settings are persisted.")
public final class ManagedInterfaceMonitor {

    private final InterfaceMonitor monitor;
    private final InterfaceTable interfaces;

    public ManagedInterfaceMonitor(InterfaceMonitor monitor, NetworkControl network) {
        this.monitor = requireNonNull(monitor, "monitor");
        this.interfaces = new InterfaceTable(network);
    }

    // An operation, not an attribute: attributes stay simple JDK types; like planChange, this returns lists and maps
    // that Jolokia renders as JSON.
    @Managed(description = "The managed namespace's interfaces, read from the kernel now: a list of {name, index, "
            + "addresses}; each address is {address (ADDRESS/PREFIX), family (inet, inet6), state (USABLE; TENTATIVE "
            + "while IPv6 duplicate address detection runs; DUPLICATE), tentative, deprecated (IPv6 preferred lifetime "
            + "0), preferredLifetime, validLifetime}")
    public List<Map<String, Object>> listInterfaces() {
        return interfaces.read();
    }

    @Managed(description = "Whether the monitor listens to the kernel's address events (default true)")
    public boolean isEnabled() {
        return monitor.settings().enabled();
    }

    @Managed
    public void setEnabled(boolean enabled) {
        monitor.setEnabled(enabled);
    }

    @Managed(description = "Time within which the steps of a renumbering must happen, in milliseconds; also how long "
            + "a removed address has to come back before it is reported lost (100 to 600000, default 10000)")
    public long getWindowMillis() {
        return monitor.settings().windowMillis();
    }

    @Managed
    public void setWindowMillis(long windowMillis) {
        monitor.setWindowMillis(windowMillis);
    }

    @Managed(description = "How long a renumbering completed by an IPv4 address with its classful prefix (ifconfig "
            + "without netmask) waits for ifconfig's netmask step, in milliseconds, so the detection names the final "
            + "prefix; it counts inside the window (0 to WindowMillis, default 250; 0 detects at once)")
    public long getSettleMillis() {
        return monitor.settings().settleMillis();
    }

    @Managed
    public void setSettleMillis(long settleMillis) {
        monitor.setSettleMillis(settleMillis);
    }

    @Managed(description = "Whether the agent removes the alias itself once no connection uses it (the detected change "
            + "then ends with renumber.change.completed); when false (default) it sends renumber.alias.removable and "
            + "leaves the alias to the operator")
    public boolean isAutoRemoveAlias() {
        return monitor.settings().autoRemoveAlias();
    }

    @Managed
    public void setAutoRemoveAlias(boolean autoRemoveAlias) {
        monitor.setAutoRemoveAlias(autoRemoveAlias);
    }

    @Managed(description = "How long a detected change waits for the connections on the alias to close, in seconds "
            + "(0 to 604800, default 300); when it passes, the alias is reported removable as timed out")
    public long getDrainTimeoutSeconds() {
        return monitor.settings().drainTimeoutSeconds();
    }

    @Managed
    public void setDrainTimeoutSeconds(long drainTimeoutSeconds) {
        monitor.setDrainTimeoutSeconds(drainTimeoutSeconds);
    }

    @Managed(description = "Whether the kernel's address events arrive now: false when disabled, and while the monitor "
            + "reopens them after a failure (see LastError)")
    public boolean isListening() {
        return monitor.isListening();
    }

    @Managed(description = "When and why the address events stopped, while the monitor reopens them by itself (first "
            + "after 100 ms, then doubling up to 10 s); empty while listening or disabled")
    public String getLastError() {
        return monitor.lastError();
    }

    @Managed(description = "Renumberings detected and addresses lost, most recent first, one line each (the last 50)")
    public String[] getRecentDetections() {
        return monitor.recentDetections().toArray(String[]::new);
    }

    @Managed(description = "Address steps seen inside the current window that have not made a pattern (yet), and "
            + "removed addresses waiting for the window to pass before they are reported lost")
    public String[] getPendingSteps() {
        return monitor.pendingSteps().toArray(String[]::new);
    }
}
