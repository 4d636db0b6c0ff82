package org.renumber.service;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.renumber.domain.AddressRule;
import org.renumber.domain.ChangeKind;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.IpLiterals;
import org.renumber.domain.ServiceSettings;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.SocketHolder;
import org.renumber.domain.SourceRoute;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.KernelPorts;
import org.renumber.domain.port.NetworkControl;
import org.renumber.domain.port.ServiceSettingsStore;

/**
 * The dry run of a change: validates a request exactly as {@link AddressChangeService#changeAddress} (or
 * {@link AddressChangeService#migrateSubscribers}) would, with the service's own validation, then lists what the
 * change would do from what the kernel and the registries hold now. It only reads: no address, route, rule,
 * journal entry or notification comes of a plan.
 */
public final class ChangePlanner {

    /** Which declared legacy applications a change would restart: those it targets that hold the old address. */
    @FunctionalInterface
    public interface ApplicationPreview {
        List<String> wouldRestart(String targets, InetAddress oldAddress);
    }

    private static final Pattern TABLE = Pattern.compile(" table (\\S+)");
    private static final int COMMAND_WIDTH = 60;

    private final ChangeValidation validation;
    private final SubscriberProcesses processes;
    private final NetworkControl network;
    private final KernelPorts kernel;
    private final ServiceSettingsStore settings;
    private final SubscriberRegistry subscribers;
    private final List<ApplicationPreview> applications = new CopyOnWriteArrayList<>();

    ChangePlanner(ChangeValidation validation, SubscriberProcesses processes, KernelPorts kernel,
                  ServiceSettingsStore settings, SubscriberRegistry subscribers) {
        this.validation = requireNonNull(validation, "validation");
        this.processes = requireNonNull(processes, "processes");
        this.kernel = requireNonNull(kernel, "kernel");
        this.network = kernel.network();
        this.settings = requireNonNull(settings, "settings");
        this.subscribers = requireNonNull(subscribers, "subscribers");
    }

    public void addApplicationPreview(ApplicationPreview preview) {
        applications.add(requireNonNull(preview, "preview"));
    }

    /** What {@code changeAddress} with these arguments would do now. */
    public ChangePlan planChange(String interfaceName, String oldAddress, String newAddress, String targets,
                                 long drainTimeoutSeconds) {
        return plan(ChangeKind.REQUESTED, interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds);
    }

    /** What {@code migrateSubscribers} with these arguments would do now. */
    public ChangePlan planMigration(String interfaceName, String oldAddress, String newAddress, String targets,
                                    long drainTimeoutSeconds) {
        return plan(ChangeKind.MIGRATION, interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds);
    }

    private ChangePlan plan(ChangeKind kind, String interfaceName, String oldAddress, String newAddress,
                            String targets, long drainTimeoutSeconds) {
        boolean migration = kind == ChangeKind.MIGRATION;
        ChangeValidation.Request request;
        try {
            request = migration
                    ? validation.validateMigration(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds)
                    : validation.validate(interfaceName, oldAddress, newAddress, targets, drainTimeoutSeconds, false);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return new ChangePlan(false, e.getMessage(), kind.name(), text(interfaceName), text(oldAddress),
                    text(newAddress), "", List.of(), List.of(), List.of(), List.of(), false, false,
                    drainTimeoutSeconds, List.of(), List.of(), List.of());
        }
        InterfaceAddress old = request.old();
        InterfaceAddress fresh = request.fresh();
        ServiceSettings now = settings.current();
        List<SocketEntry> sockets = kernel.tracker().sockets(old.address());
        return new ChangePlan(true, "", kind.name(), request.interfaceName(), old.toString(), fresh.toString(),
                usable(request), migration ? List.of() : routes(request), migration ? List.of() : rules(old, fresh),
                recipients(request), restarted(request), now.guardNewConnections() && !migration,
                now.forceCloseAtDeadline() && !migration, request.drainTimeoutSeconds(), connections(sockets),
                sockets.stream().filter(SocketEntry::isListener).map(SocketEntry::describe).toList(),
                processes.holders(old.address()));
    }

    private String usable(ChangeValidation.Request request) {
        InterfaceAddress fresh = request.fresh();
        boolean present = network.interfaces().stream().filter(i -> i.name().equals(request.interfaceName()))
                .anyMatch(i -> i.find(fresh.address()).isPresent());
        if (present) {
            return "now: " + fresh + " is already on " + request.interfaceName();
        }
        return fresh.isIpv4()
                ? "as soon as it is added (IPv4 has no duplicate address detection)"
                : "after IPv6 duplicate address detection, about a second; the change fails if it is not usable within "
                        + NewAddressStep.USABLE_TIMEOUT.toSeconds() + " s. Then " + request.old()
                        + " is deprecated (preferred_lft 0) so new connections leave from " + fresh;
    }

    /** The old subnet's connected route (IPv4 steering) and every route naming the old address as its source. */
    private List<ChangePlan.Route> routes(ChangeValidation.Request request) {
        InterfaceAddress old = request.old();
        String oldText = IpLiterals.format(old.address());
        String newText = IpLiterals.format(request.fresh().address());
        List<ChangePlan.Route> routes = new ArrayList<>();
        if (old.isIpv4()) {
            InetAddress source = network.connectedRouteSource(request.interfaceName(), old);
            String connected = IpLiterals.format(old.network()) + "/" + old.prefixLength() + " dev "
                    + request.interfaceName() + " proto kernel scope link";
            routes.add(new ChangePlan.Route("main",
                    connected + (source == null ? "" : " src " + IpLiterals.format(source)),
                    connected + " src " + newText));
        }
        for (SourceRoute route : network.routesWithSource(old.address())) {
            Matcher table = TABLE.matcher(route.text());
            routes.add(new ChangePlan.Route(table.find() ? table.group(1) : "main",
                    route.text() + " src " + oldText, route.text() + " src " + newText));
        }
        return routes;
    }

    /** As the change treats them: single-address rules get a copy for the new address and go with the old one. */
    private List<ChangePlan.Rule> rules(InterfaceAddress old, InterfaceAddress fresh) {
        String oldText = IpLiterals.format(old.address());
        String newText = IpLiterals.format(fresh.address());
        Set<String> present = new HashSet<>();
        network.rulesSelecting(fresh.address()).forEach(r -> present.add(r.key()));
        List<ChangePlan.Rule> rules = new ArrayList<>();
        for (AddressRule rule : network.rulesSelecting(old.address())) {
            if (!rule.singleAddress()) {
                rules.add(new ChangePlan.Rule("keep", rule.text()));
                continue;
            }
            if (!present.contains(rule.key())) {
                rules.add(new ChangePlan.Rule("add", replaceAddress(rule.text(), oldText, newText)));
            }
            rules.add(new ChangePlan.Rule("delete", rule.text()));
        }
        return rules;
    }

    /** The rule's words with each one that is the old address (alone or with its /32, /128) naming the new one. */
    private static String replaceAddress(String text, String oldText, String newText) {
        String[] words = text.split(" ");
        for (int i = 0; i < words.length; i++) {
            if (words[i].equals(oldText)) {
                words[i] = newText;
            } else if (words[i].startsWith(oldText + "/")) {
                words[i] = newText + words[i].substring(oldText.length());
            }
        }
        return String.join(" ", words);
    }

    private List<ChangePlan.Subscriber> recipients(ChangeValidation.Request request) {
        List<ChangePlan.Subscriber> list = new ArrayList<>();
        for (String id : subscribers.resolve(request.targets(), request.interfaceName(), request.old().address())) {
            subscribers.find(id).ifPresent(s -> list.add(subscriber(s)));
        }
        return list;
    }

    private static ChangePlan.Subscriber subscriber(Subscription s) {
        return new ChangePlan.Subscriber(s.subscriberId(), s.group(), s.scope(), s.pid());
    }

    private List<String> restarted(ChangeValidation.Request request) {
        List<String> names = new ArrayList<>();
        applications.forEach(p -> names.addAll(p.wouldRestart(request.targetsText(), request.old().address())));
        return names;
    }

    private List<ChangePlan.Connection> connections(List<SocketEntry> sockets) {
        List<SocketEntry> live = sockets.stream().filter(SocketEntry::isLiveConnection).toList();
        Map<Long, SocketHolder> byInode = new HashMap<>();
        if (!live.isEmpty()) {
            Set<Long> inodes = new HashSet<>();
            live.forEach(s -> inodes.add(s.inode()));
            for (SocketHolder holder : kernel.owners().holders(inodes)) {
                holder.inodes().forEach(inode -> byInode.putIfAbsent(inode, holder));
            }
        }
        List<ChangePlan.Connection> list = new ArrayList<>();
        for (SocketEntry s : live) {
            SocketHolder holder = byInode.get(s.inode());
            list.add(new ChangePlan.Connection(endpoint(s.local()), endpoint(s.remote()), s.state().name(),
                    holder == null ? 0 : holder.pid(), holder == null ? "" : shorten(holder.command())));
        }
        return list;
    }

    private static String shorten(String command) {
        return command.length() > COMMAND_WIDTH ? command.substring(0, COMMAND_WIDTH - 3) + "..." : command;
    }

    private static String endpoint(InetSocketAddress address) {
        String host = IpLiterals.format(address.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static String text(String value) {
        return value == null ? "" : value.strip();
    }
}
