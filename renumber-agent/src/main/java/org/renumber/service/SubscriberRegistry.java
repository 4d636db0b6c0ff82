package org.renumber.service;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.ChangeJournal;

/** The subscribers, persisted in the journal so they survive an agent restart. */
public final class SubscriberRegistry {

    /** Told when a subscription appears or goes, so adapters can publish it (e.g. as an MBean). */
    public interface Listener {
        void subscribed(Subscription subscription);

        void unsubscribed(Subscription subscription);
    }

    private final ChangeJournal journal;
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<Supplier<Set<String>>> groupSources = new CopyOnWriteArrayList<>();

    public SubscriberRegistry(ChangeJournal journal) {
        this.journal = requireNonNull(journal, "journal");
        for (Subscription s : journal.subscriptions()) {
            subscriptions.put(s.subscriberId(), s);
        }
    }

    /** Registers a listener and replays the current subscriptions to it. */
    public void addListener(Listener listener) {
        listeners.add(requireNonNull(listener, "listener"));
        all().forEach(listener::subscribed);
    }

    public Subscription subscribe(String subscriberId, String group, String scope) {
        if (subscriberId == null || subscriberId.isBlank()) {
            throw new IllegalArgumentException("subscriberId is required");
        }
        Subscription subscription = new Subscription(subscriberId.strip(), group, scope);
        synchronized (this) {
            if (subscriptions.containsKey(subscription.subscriberId())) {
                throw new IllegalArgumentException("subscriber id '" + subscription.subscriberId()
                        + "' is already subscribed: unsubscribe it first or pick another id");
            }
            Map<String, Subscription> next = new LinkedHashMap<>(subscriptions);
            next.put(subscription.subscriberId(), subscription);
            journal.saveSubscriptions(List.copyOf(next.values()));
            subscriptions.put(subscription.subscriberId(), subscription);
        }
        listeners.forEach(l -> l.subscribed(subscription));
        return subscription;
    }

    public void unsubscribe(String subscriberId) {
        Subscription removed;
        synchronized (this) {
            removed = subscriptions.get(subscriberId);
            if (removed == null) {
                throw new IllegalArgumentException("no subscriber with id '" + subscriberId + "'");
            }
            Map<String, Subscription> next = new LinkedHashMap<>(subscriptions);
            next.remove(subscriberId);
            journal.saveSubscriptions(List.copyOf(next.values()));
            subscriptions.remove(subscriberId);
        }
        listeners.forEach(l -> l.unsubscribed(removed));
    }

    /**
     * Records the process id of a subscribed application (0 clears it), so the agent can tell its sockets from
     * other processes'. Persisted like the subscription; the MBean shows it at once.
     */
    public void recordPid(String subscriberId, long pid) {
        synchronized (this) {
            Subscription current = subscriptions.get(subscriberId);
            if (current == null) {
                throw new IllegalArgumentException("no subscriber with id '" + subscriberId + "'");
            }
            Subscription updated = current.withPid(pid);
            if (updated.equals(current)) {
                return;
            }
            Map<String, Subscription> next = new LinkedHashMap<>(subscriptions);
            next.put(subscriberId, updated);
            journal.saveSubscriptions(List.copyOf(next.values()));
            subscriptions.put(subscriberId, updated);
        }
    }

    public synchronized Optional<Subscription> find(String subscriberId) {
        return Optional.ofNullable(subscriptions.get(subscriberId));
    }

    public synchronized List<Subscription> all() {
        List<Subscription> list = new ArrayList<>(subscriptions.values());
        list.sort(Comparator.comparing(Subscription::subscriberId));
        return list;
    }

    /**
     * Resolves a targets expression to subscriber ids. Every id and group named must exist: a typo
     * would otherwise silently leave an application un-notified.
     */
    /**
     * Adds a source of group names that have members other than subscribers (legacy applications declared to
     * the ApplicationMonitor), so a change may target such a group.
     */
    public void addGroupSource(Supplier<Set<String>> groups) {
        groupSources.add(requireNonNull(groups, "groups"));
    }

    synchronized Set<String> resolve(Targets targets, String interfaceName, InetAddress oldAddress) {
        Set<String> ids = new TreeSet<>();
        if (targets.isAll()) {
            subscriptions.values().stream()
                    .filter(s -> s.covers(interfaceName, oldAddress))
                    .forEach(s -> ids.add(s.subscriberId()));
            return ids;
        }
        for (String id : targets.subscriberIds()) {
            if (!subscriptions.containsKey(id)) {
                throw new IllegalArgumentException("targets names unknown subscriber id '" + id
                        + "'; known ids: " + subscriptions.keySet());
            }
            ids.add(id);
        }
        for (String group : targets.groups()) {
            List<String> members = subscriptions.values().stream()
                    .filter(s -> s.group().equals(group)).map(Subscription::subscriberId).toList();
            if (members.isEmpty() && groupSources.stream().noneMatch(source -> source.get().contains(group))) {
                throw new IllegalArgumentException("targets names group '" + group
                        + "' which has no subscribers and no declared legacy applications");
            }
            ids.addAll(members);
        }
        return ids;
    }
}
