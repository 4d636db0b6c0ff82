package org.renumber.jmx;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import org.renumber.api.MBeanNames;
import org.renumber.application.ApplicationMonitor;
import org.renumber.domain.Change;
import org.renumber.domain.ChangeEvent;
import org.renumber.domain.Subscription;
import org.renumber.domain.port.ChangeListener;
import org.renumber.domain.port.ConnectionTracker;
import org.renumber.domain.port.EventJournal;
import org.renumber.domain.port.NetworkControl;
import org.renumber.domain.port.SocketInventory;
import org.renumber.monitor.AddressLoss;
import org.renumber.monitor.DetectedChange;
import org.renumber.monitor.InterfaceMonitor;
import org.renumber.monitor.MonitorFailure;
import org.renumber.monitor.MonitorRecovery;
import org.renumber.service.AddressChangeService;
import org.renumber.service.SubscriberRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.weakref.jmx.MBeanExporter;

/**
 * Publishes an {@link AddressChangeService} as the {@code renumber} MBeans and keeps them in step with it:
 * a change MBean appears when a change is accepted and goes when it leaves the history, a subscription MBean
 * follows its subscription, and every change event becomes a notification on the service MBean and on the
 * Subscription MBeans it is meant for. Closing unregisters everything.
 */
public final class JmxAdapter implements AutoCloseable, ChangeListener, SubscriberRegistry.Listener {

    private static final Logger log = LoggerFactory.getLogger(JmxAdapter.class);

    private final AddressChangeService service;
    private final ExecutorService dispatcher;
    private final NotifyingMBeanServer notifying;
    private final MBeanExporter exporter;
    private final NotifyingMBeanServer.Emitter serviceEmitter;
    private final Map<String, NotifyingMBeanServer.Emitter> subscriptionEmitters = new HashMap<>();
    private final Map<ObjectName, Object> exported = new HashMap<>();
    private final ChangeEventLog events;
    private boolean closed;
    private final SocketInventory inventory;

    private JmxAdapter(MBeanServer server, AddressChangeService service, ConnectionTracker tracker,
                       SocketInventory inventory, EventJournal eventJournal) {
        this.service = requireNonNull(service, "service");
        this.inventory = requireNonNull(inventory, "inventory");
        this.dispatcher = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "renumber-jmx-notifications");
            thread.setDaemon(true);
            return thread;
        });
        this.notifying = new NotifyingMBeanServer(requireNonNull(server, "server"), dispatcher);
        this.exporter = new MBeanExporter(notifying.server());
        this.serviceEmitter = notifying.emitterFor(MBeanNames.SERVICE,
                ChangeNotifications.info("of every change on this node"));
        // Asked at the first event, when the service has loaded the journal's history.
        this.events = new ChangeEventLog(() -> ChangeEventLog.base(Instant.now(),
                Stream.concat(service.activeChanges().stream(), service.recentChanges().stream()).toList()),
                eventJournal);
        export(MBeanNames.SERVICE, new ManagedService(service, events));
        export(MBeanNames.CONNECTION_TRACKER,
                new ManagedConnectionTracker(requireNonNull(tracker, "tracker"), inventory, service::holders));
    }

    /**
     * Exports the MBeans for {@code service} into {@code server} and starts following the service. Call it
     * before {@code service.start()} or after: changes already known are exported either way.
     */
    public static JmxAdapter export(MBeanServer server, AddressChangeService service, ConnectionTracker tracker,
                                    SocketInventory inventory) {
        return export(server, service, tracker, inventory, EventJournal.NONE);
    }

    /**
     * As above, with the change events and their sequence numbers journaled in {@code eventJournal}, so a restarted
     * agent numbers on and answers pendingEvents for the events of its previous run.
     */
    public static JmxAdapter export(MBeanServer server, AddressChangeService service, ConnectionTracker tracker,
                                    SocketInventory inventory, EventJournal eventJournal) {
        JmxAdapter adapter = new JmxAdapter(server, service, tracker, inventory, eventJournal);
        try {
            service.subscribers().addListener(adapter);
            service.addListener(adapter);
            for (Change change : service.activeChanges()) {
                adapter.changeAccepted(change.id());
            }
            for (Change change : service.recentChanges()) {
                adapter.changeAccepted(change.id());
            }
        } catch (RuntimeException e) {
            adapter.close();
            throw e;
        }
        log.info("renumber MBeans exported: {}, {}", MBeanNames.SERVICE, MBeanNames.CONNECTION_TRACKER);
        return adapter;
    }

    /**
     * Exports {@code renumber:type=InterfaceMonitor}, with the interfaces of {@code network} read by its
     * listInterfaces operation, and turns the monitor's findings into its notifications. The
     * service MBean and the subscriptions hear about a detection through the detected change's own events.
     */
    public void exportInterfaceMonitor(InterfaceMonitor monitor, NetworkControl network) {
        requireNonNull(monitor, "monitor");
        NotifyingMBeanServer.Emitter emitter = notifying.emitterFor(MBeanNames.INTERFACE_MONITOR,
                MonitorNotifications.info());
        if (!export(MBeanNames.INTERFACE_MONITOR, new ManagedInterfaceMonitor(monitor, network))) {
            notifying.discard(MBeanNames.INTERFACE_MONITOR);
            throw new IllegalStateException(MBeanNames.INTERFACE_MONITOR + " is already exported, or the adapter is closed");
        }
        monitor.addListener(new InterfaceMonitor.Listener() {
            @Override
            public void renumberingDetected(DetectedChange detected) {
                send(emitter, MonitorNotifications.INTERFACE_CHANGED, MonitorNotifications.message(detected),
                        MonitorNotifications.userData(detected));
            }

            @Override
            public void addressLost(AddressLoss loss) {
                send(emitter, MonitorNotifications.ADDRESS_LOST, MonitorNotifications.message(loss),
                        MonitorNotifications.userData(loss));
            }

            @Override
            public void monitorFailed(MonitorFailure failure) {
                send(emitter, MonitorNotifications.MONITOR_FAILED, MonitorNotifications.message(failure),
                        MonitorNotifications.userData(failure));
            }

            @Override
            public void monitorRecovered(MonitorRecovery recovery) {
                send(emitter, MonitorNotifications.MONITOR_RECOVERED, MonitorNotifications.message(recovery),
                        MonitorNotifications.userData(recovery));
            }
        });
        log.info("renumber MBean exported: {}", MBeanNames.INTERFACE_MONITOR);
    }

    private synchronized void send(NotifyingMBeanServer.Emitter emitter, String type, String message, Object userData) {
        if (!closed) {
            emitter.send(type, message, userData);
        }
    }

    /**
     * Exports {@code renumber:type=ApplicationMonitor} and turns what the monitor does to legacy applications into
     * its {@code renumber.application.restarted} / {@code renumber.application.failed} notifications.
     */
    public void exportApplicationMonitor(ApplicationMonitor monitor) {
        requireNonNull(monitor, "monitor");
        NotifyingMBeanServer.Emitter emitter = notifying.emitterFor(MBeanNames.APPLICATION_MONITOR,
                ApplicationNotifications.info());
        if (!export(MBeanNames.APPLICATION_MONITOR, new ManagedApplicationMonitor(monitor))) {
            notifying.discard(MBeanNames.APPLICATION_MONITOR);
            throw new IllegalStateException(MBeanNames.APPLICATION_MONITOR
                    + " is already exported, or the adapter is closed");
        }
        monitor.addListener(event -> {
            synchronized (this) {
                if (!closed) {
                    emitter.send(ApplicationNotifications.type(event.type()), ApplicationNotifications.message(event),
                            ApplicationNotifications.userData(event));
                }
            }
        });
        log.info("renumber MBean exported: {}", MBeanNames.APPLICATION_MONITOR);
    }

    @Override
    public void changeAccepted(String changeId) {
        guarded("export change " + changeId,
                () -> export(MBeanNames.change(changeId), new ManagedChange(service, inventory, changeId)));
    }

    @Override
    public void changeEvicted(String changeId) {
        guarded("unexport change " + changeId, () -> unexport(MBeanNames.change(changeId)));
    }

    /**
     * Numbers the event for every recipient, then sends it where someone listens: a Subscription MBean nobody
     * listens to sends nothing (its listener reads what it missed back with pendingEvents).
     */
    @Override
    public void event(ChangeEvent event) {
        String type = ChangeNotifications.type(event.type());
        String message = ChangeNotifications.message(event);
        CompositeData userData = ChangeNotifications.userData(event);
        synchronized (this) {
            if (closed) {
                return;
            }
            events.append(event);
            send(serviceEmitter, type, message, userData, ChangeEventLog.ALL);
            for (String recipient : event.recipients()) {
                NotifyingMBeanServer.Emitter emitter = subscriptionEmitters.get(recipient);
                if (emitter != null && emitter.heard()) {
                    send(emitter, type, message, userData, recipient);
                }
            }
        }
    }

    private void send(NotifyingMBeanServer.Emitter emitter, String type, String message, CompositeData userData,
                      String listener) {
        long sequence = events.sequence(listener);
        emitter.send(type, message, ChangeNotifications.sequenced(userData, sequence), sequence);
    }

    @Override
    public void subscribed(Subscription subscription) {
        String id = subscription.subscriberId();
        guarded("export subscription " + id, () -> {
            ObjectName name = MBeanNames.subscription(id);
            NotifyingMBeanServer.Emitter emitter = notifying.emitterFor(name,
                    ChangeNotifications.info("targeted at subscriber " + id));
            if (export(name, new ManagedSubscription(subscription, service, events))) {
                subscriptionEmitters.put(id, emitter);
            }
        });
    }

    @Override
    public void unsubscribed(Subscription subscription) {
        String id = subscription.subscriberId();
        guarded("unexport subscription " + id, () -> {
            subscriptionEmitters.remove(id);
            unexport(MBeanNames.subscription(id));
        });
    }

    /** Unregisters every renumber MBean this adapter exported. The service keeps running. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            exported.keySet().forEach(this::unregister);
            exported.clear();
            subscriptionEmitters.clear();
        }
        dispatcher.shutdown();
    }

    private synchronized boolean export(ObjectName name, Object managed) {
        if (closed || exported.containsKey(name)) {
            return false;
        }
        try {
            exporter.export(name, managed);
        } catch (RuntimeException e) {
            notifying.discard(name);
            throw e;
        }
        exported.put(name, managed);
        log.debug("exported {}", name);
        return true;
    }

    private synchronized void unexport(ObjectName name) {
        if (exported.remove(name) != null) {
            unregister(name);
        }
    }

    private void unregister(ObjectName name) {
        try {
            exporter.unexport(name);
            log.debug("unexported {}", name);
        } catch (RuntimeException e) {
            log.warn("could not unregister {}: {}", name, e.toString());
        }
    }

    // The service and the registry call listeners on their own threads, in the middle of their work:
    // a failure to publish must not become a failure of the change or the subscription.
    private synchronized void guarded(String what, Runnable action) {
        if (closed) {
            return;
        }
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("JMX: could not {}: {}", what, e.toString(), e);
        }
    }
}
