package org.renumber.bench;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnectionNotification;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.renumber.api.MBeanNames;
import org.renumber.api.NotificationTypes;
import org.renumber.api.UserDataKeys;
import org.renumber.client.AddressChangeClient;
import org.renumber.client.AddressChangeEvent;
import org.renumber.client.AddressChangeHandler;
import org.renumber.domain.ChangeState;

/**
 * P3 and P5: a change's notifications reaching applications over real JMX connections to the product's connector,
 * as JConsole or an application would hold them. Plain listeners ({@code connections} connections, each
 * listening to {@code perConnection} Subscription MBeans) count what arrived of each event type; client library
 * instances (each on its own connection with {@code perConnection} subscriptions) check that every handler got
 * every event exactly once, in order. Every subscription is targeted by every change. Times are nanoTime in this
 * JVM: just before {@code changeAddress}, and in the listener when a notification arrives.
 */
final class FanOut {

    private static final List<String> TYPES = List.of(NotificationTypes.CHANGE_STARTED,
            NotificationTypes.CHANGE_DRAINED, NotificationTypes.CHANGE_COMPLETED);
    private static final Duration SETTLE = Duration.ofSeconds(60);

    /** Requests one change of the product and returns its id. */
    interface Mover {
        String change() throws Exception;
    }

    /** What one measurement saw. */
    record Result(String label, Samples started, Samples allCompleted, Samples serviceCompleted, Map<String, Long> delivered,
                  long expectedPerType, long duplicates, int exactHandlers, int handlers, int notificationsLost) {
    }

    private record Arrival(String type, String changeId, long at) {
    }

    private FanOut() {
    }

    static Result measure(String label, BenchProduct product, EventTimes events, List<String> subscriberIds,
                          int connections, int perConnection, int libraryClients, int runs, Mover mover)
            throws Exception {
        int listeners = connections * perConnection;
        int handlers = libraryClients * perConnection;
        if (subscriberIds.size() < listeners + handlers) {
            throw new IllegalArgumentException(label + ": " + (listeners + handlers) + " listeners need as many "
                    + "subscriptions, there are " + subscriberIds.size());
        }
        List<AutoCloseable> open = new ArrayList<>();
        AtomicInteger lost = new AtomicInteger();
        List<List<Arrival>> heard = new ArrayList<>();
        List<List<String>> handled = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) {
                JMXConnector connector = JMXConnectorFactory.connect(product.jmxUrl, Map.of(JMXConnector.CREDENTIALS,
                        new String[] {product.credentials.user(), product.credentials.password()}));
                open.add(connector);
                connector.addConnectionNotificationListener((n, h) -> {
                    if (n.getType().equals(JMXConnectionNotification.NOTIFS_LOST)) {
                        lost.incrementAndGet();
                    }
                }, null, null);
                for (int k = 0; k < perConnection; k++) {
                    List<Arrival> arrivals = new CopyOnWriteArrayList<>();
                    heard.add(arrivals);
                    connector.getMBeanServerConnection().addNotificationListener(MBeanNames.subscription(
                            subscriberIds.get(c * perConnection + k)), recorder(arrivals), null, null);
                }
            }
            for (int c = 0; c < libraryClients; c++) {
                AddressChangeClient client = AddressChangeClient.builder(product.jmxUrl)
                        .credentials(product.credentials.user(), product.credentials.password()).connect();
                open.add(client);
                for (int k = 0; k < perConnection; k++) {
                    List<String> calls = new CopyOnWriteArrayList<>();
                    handled.add(calls);
                    client.subscribe(subscriberIds.get(listeners + c * perConnection + k), "bench", "",
                            handler(calls));
                }
            }
            Samples serviceCompleted = new Samples("  changeAddress() -> COMPLETED event (in the agent)");
            Map<String, Long> requested = new ConcurrentHashMap<>();
            List<String> expectedCalls = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                long t0 = System.nanoTime();
                String id = mover.change();
                requested.put(id, t0);
                EventTimes.Final end = events.end(id).get(SETTLE.toSeconds(), TimeUnit.SECONDS);
                ChangeState state = product.service.awaitChange(id, SETTLE.toSeconds());
                if (!state.isFinal()) {
                    throw new IllegalStateException(label + ": change " + id + " still " + state);
                }
                serviceCompleted.add(end.at() - t0);
                TYPES.forEach(type -> expectedCalls.add(type + " " + id));
            }
            int expected = expectedCalls.size();
            try {
                await().atMost(SETTLE).pollInterval(Duration.ofMillis(100)).until(() ->
                        heard.stream().allMatch(a -> a.size() >= expected)
                                && handled.stream().allMatch(h -> h.size() >= expected));
            } catch (ConditionTimeoutException e) {
                // counted below as not delivered
            }
            return result(label, heard, handled, requested, expectedCalls, serviceCompleted, lost.get());
        } finally {
            for (AutoCloseable resource : open) {
                LoadNetwork.closeQuietly(resource);
            }
        }
    }

    private static Result result(String label, List<List<Arrival>> heard, List<List<String>> handled,
                                 Map<String, Long> requested, List<String> expectedCalls, Samples serviceCompleted,
                                 int lost) {
        Samples started = new Samples("  changeAddress() -> started notification, each listener");
        Samples allCompleted = new Samples("  changeAddress() -> completed notification at every listener");
        Map<String, Long> delivered = new ConcurrentHashMap<>();
        Map<String, Long> lastCompleted = new ConcurrentHashMap<>();
        Map<String, Integer> completedCount = new ConcurrentHashMap<>();
        long duplicates = 0;
        for (List<Arrival> arrivals : heard) {
            Set<String> seen = new HashSet<>();
            for (Arrival arrival : arrivals) {
                Long t0 = requested.get(arrival.changeId());
                if (t0 == null) {
                    continue; // not one of the measured changes
                }
                if (!seen.add(arrival.type() + " " + arrival.changeId())) {
                    duplicates++;
                    continue;
                }
                delivered.merge(arrival.type(), 1L, Long::sum);
                if (arrival.type().equals(NotificationTypes.CHANGE_STARTED)) {
                    started.add(arrival.at() - t0);
                } else if (arrival.type().equals(NotificationTypes.CHANGE_COMPLETED)) {
                    lastCompleted.merge(arrival.changeId(), arrival.at() - t0, Math::max);
                    completedCount.merge(arrival.changeId(), 1, Integer::sum);
                }
            }
        }
        lastCompleted.forEach((id, nanos) -> {
            if (completedCount.get(id) == heard.size()) {
                allCompleted.add(nanos);
            }
        });
        int exact = (int) handled.stream().filter(calls -> calls.equals(expectedCalls)).count();
        return new Result(label, started, allCompleted, serviceCompleted, delivered,
                (long) heard.size() * requested.size(), duplicates, exact, handled.size(), lost);
    }

    /** Rows for {@code table}: the latencies, what arrived of each type, and the client library's handlers. */
    static void report(String part, Result result, Table table, Table.Target serviceTarget) {
        table.text(part, result.label(), "", "", true);
        table.add(part, result.serviceCompleted(), serviceTarget);
        if (!result.started().isEmpty()) {
            table.add(part, result.started(), Table.Target.NONE);
        }
        if (!result.allCompleted().isEmpty()) {
            table.add(part, result.allCompleted(), Table.Target.NONE);
        }
        for (String type : TYPES) {
            table.delivered(part, "  " + type + " delivered/expected", result.delivered().getOrDefault(type, 0L),
                    result.expectedPerType());
        }
        table.text(part, "  duplicate notifications; NOTIFS_LOST reports on the connections",
                result.duplicates() + "; " + result.notificationsLost(), "0 duplicates", result.duplicates() == 0);
        if (result.handlers() > 0) {
            table.delivered(part, "  client library: handlers that got every event once, in order",
                    result.exactHandlers(), result.handlers());
        }
    }

    private static NotificationListener recorder(List<Arrival> arrivals) {
        return (Notification n, Object handback) -> {
            long now = System.nanoTime();
            if (n.getUserData() instanceof CompositeData data) {
                arrivals.add(new Arrival(n.getType(), String.valueOf(data.get(UserDataKeys.ChangeEvent.CHANGE_ID)),
                        now));
            }
        };
    }

    private static AddressChangeHandler handler(List<String> calls) {
        return new AddressChangeHandler() {
            @Override
            public void started(AddressChangeEvent event) {
                calls.add(NotificationTypes.CHANGE_STARTED + " " + event.changeId());
            }

            @Override
            public void drained(AddressChangeEvent event) {
                calls.add(NotificationTypes.CHANGE_DRAINED + " " + event.changeId());
            }

            @Override
            public void completed(AddressChangeEvent event) {
                calls.add(NotificationTypes.CHANGE_COMPLETED + " " + event.changeId());
            }
        };
    }
}
