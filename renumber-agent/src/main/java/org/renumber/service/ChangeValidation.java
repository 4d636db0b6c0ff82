package org.renumber.service;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.renumber.domain.AddressRules;
import org.renumber.domain.ChangeLimits;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetInterface;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.KernelPorts;

/**
 * The checks a change passes before anything is touched, shared by the service and its dry run
 * ({@link ChangePlanner}): a refused request names the argument and leaves the kernel and the journal as they were.
 * The address rules themselves are the domain's ({@link AddressRules}).
 */
final class ChangeValidation {

    private final KernelPorts kernel;
    private final SubscriberRegistry subscribers;
    private final ActiveChanges changes;

    ChangeValidation(KernelPorts kernel, SubscriberRegistry subscribers, ActiveChanges changes) {
        this.kernel = requireNonNull(kernel, "kernel");
        this.subscribers = requireNonNull(subscribers, "subscribers");
        this.changes = requireNonNull(changes, "changes");
    }

    /** A change request that passed validation; nothing has been touched yet. */
    record Request(String interfaceName, InterfaceAddress old, InterfaceAddress fresh, Targets targets,
                   String targetsText, long drainTimeoutSeconds) {
    }

    /**
     * The checks every operator-requested change passes before anything is touched.
     *
     * @param newMayBeOnInterface a migration may reuse a new address already on the same interface (an earlier
     *                            migration added it); elsewhere it is always refused
     */
    Request validate(String interfaceName, String oldAddress, String newAddress, String targets,
                     long drainTimeoutSeconds, boolean newMayBeOnInterface) {
        String ifName = required(interfaceName, "interfaceName").strip();
        String oldText = required(oldAddress, "oldAddress").strip();
        String newText = required(newAddress, "newAddress").strip();
        Targets parsedTargets = Targets.parse(targets);
        if (drainTimeoutSeconds < 0 || drainTimeoutSeconds > ChangeLimits.MAX_DRAIN_SECONDS) {
            throw new IllegalArgumentException("drainTimeoutSeconds " + drainTimeoutSeconds
                    + " is out of range: use 0 to " + ChangeLimits.MAX_DRAIN_SECONDS + " seconds (7 days)");
        }
        List<NetInterface> interfaces = kernel.network().interfaces();
        NetInterface nic = AddressRules.requireInterface(interfaces, ifName);
        changes.refuseIfBusy(ifName);
        InterfaceAddress old = AddressRules.resolveOld(nic, oldText);
        InterfaceAddress fresh = AddressRules.parseNew(newText, old);
        changes.refuseReserved(fresh);
        AddressRules.refuseNewInUse(interfaces, ifName, fresh, newText, newMayBeOnInterface);
        return new Request(ifName, old, fresh, parsedTargets, targets == null ? "" : targets.strip(),
                drainTimeoutSeconds);
    }

    /** A partial migration: targets are required and each needs a recorded process to follow its connections. */
    Request validateMigration(String interfaceName, String oldAddress, String newAddress, String targets,
                              long drainTimeoutSeconds) {
        if (targets == null || targets.isBlank()) {
            throw new IllegalArgumentException("targets is required for a migration: name the subscriber ids and "
                    + "group:NAME entries to move (the other applications stay on the old address)");
        }
        if (!kernel.owners().available()) {
            throw new IllegalStateException("this agent cannot tell which process owns a socket, so it cannot "
                    + "follow only the targets' connections; use changeAddress");
        }
        Request request = validate(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds, true);
        for (String id : subscribers.resolve(request.targets(), request.interfaceName(), request.old().address())) {
            long pid = subscribers.find(id).map(Subscription::pid).orElse(0L);
            if (pid == 0) {
                throw new IllegalArgumentException("subscriber '" + id + "' has no process id recorded (its "
                        + "Subscription's Pid is 0), so its connections cannot be told from the other "
                        + "applications'; the client library records it at subscribe, or write the Pid attribute");
            }
        }
        return request;
    }

    /** A renumbering done by hand: both addresses must be on the interface already. */
    void validateAdoption(String interfaceName, InterfaceAddress oldAddress, InterfaceAddress newAddress,
                          long drainTimeoutSeconds) {
        requireNonNull(oldAddress, "oldAddress");
        requireNonNull(newAddress, "newAddress");
        if (drainTimeoutSeconds < 0 || drainTimeoutSeconds > ChangeLimits.MAX_DRAIN_SECONDS) {
            throw new IllegalArgumentException("drainTimeoutSeconds " + drainTimeoutSeconds + " is out of range 0-"
                    + ChangeLimits.MAX_DRAIN_SECONDS);
        }
        NetInterface nic = kernel.network().interfaces().stream().filter(i -> i.name().equals(interfaceName))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown interface '" + interfaceName
                        + "'"));
        for (InterfaceAddress a : List.of(oldAddress, newAddress)) {
            if (!nic.addresses().contains(a)) {
                throw new IllegalArgumentException(a + " is not configured on " + interfaceName);
            }
        }
    }

    static void requireWarningSeconds(long warningSeconds, String withoutWarning) {
        if (warningSeconds < 1 || warningSeconds > AddressChangeService.MAX_WARNING_SECONDS) {
            throw new IllegalArgumentException("warningSeconds " + warningSeconds + " is out of range: use 1 to "
                    + AddressChangeService.MAX_WARNING_SECONDS + " seconds (1 day); for no warning use "
                    + withoutWarning);
        }
    }

    static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }
}
