package org.renumber.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the client does with a warning, against stand-in MBeans: an agent whose Subscription MBean offers
 * {@code ready(changeId)} is told when the handler's warning completes; an agent without it is not, and nothing
 * fails. Also: a repeated event reaches the handler once, and a failing handler does not stop later events.
 */
class ClientAcknowledgementTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private AddressChangeClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void completingTheWarningCallsReadyOnTheSubscriptionWhenTheAgentOffersIt() throws Exception {
        ReadySubscription subscription = new ReadySubscription();
        register(subscription);
        CompletableFuture<Void> preparation = new CompletableFuture<>();
        List<String> warned = new CopyOnWriteArrayList<>();
        client = AddressChangeClient.builder(server).connect();
        client.subscribe("app", "web", "", new AddressChangeHandler() {
            @Override
            public CompletionStage<Void> warning(AddressChangeEvent event) {
                warned.add(event.changeId());
                return preparation;
            }
        });

        subscription.send("renumber.change.warning", "chg-1");
        await().until(() -> warned.contains("chg-1"));
        assertThat(subscription.ready).isEmpty();

        preparation.complete(null);
        await().until(() -> subscription.ready.contains("chg-1"));
    }

    @Test
    void anAgentWithoutReadyIsNotToldAndLaterEventsStillArrive() throws Exception {
        PlainSubscription subscription = new PlainSubscription();
        register(subscription);
        List<String> events = new CopyOnWriteArrayList<>();
        client = AddressChangeClient.builder(server).connect();
        client.subscribe("app", "web", "", new AddressChangeHandler() {
            @Override
            public CompletionStage<Void> warning(AddressChangeEvent event) {
                events.add("warning");
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void started(AddressChangeEvent event) {
                events.add("started");
                throw new IllegalStateException("the application's handler fails");
            }

            @Override
            public void completed(AddressChangeEvent event) {
                events.add("completed");
            }
        });

        subscription.send("renumber.change.warning", "chg-1");
        subscription.send("renumber.change.started", "chg-1");
        subscription.send("renumber.change.started", "chg-1");
        subscription.send("renumber.change.completed", "chg-1");

        await().until(() -> events.contains("completed"));
        assertThat(events).containsExactly("warning", "started", "completed");
    }

    private void register(PlainSubscription subscription) throws Exception {
        server.registerMBean(new Service(), new ObjectName(AddressChangeClient.SERVICE_NAME));
        server.registerMBean(subscription, new ObjectName("renumber:type=Subscription,id=app"));
    }

    public interface ServiceMBean {
        String subscribe(String subscriberId, String group, String scope);
    }

    public static final class Service implements ServiceMBean {
        @Override
        public String subscribe(String subscriberId, String group, String scope) {
            throw new IllegalArgumentException("this stand-in only knows the subscription 'app'");
        }
    }

    public interface PlainSubscriptionMBean {
        String getGroup();

        String getScope();
    }

    /** A Subscription MBean as the agent has it today: no ready operation, no Pid attribute. */
    public static class PlainSubscription extends NotificationBroadcasterSupport implements PlainSubscriptionMBean {
        private final AtomicLong sequence = new AtomicLong();

        @Override
        public String getGroup() {
            return "web";
        }

        @Override
        public String getScope() {
            return "";
        }

        void send(String type, String changeId) throws Exception {
            String[] items = {"changeId", "interfaceName", "oldAddress", "newAddress", "state"};
            OpenType<?>[] types = {SimpleType.STRING, SimpleType.STRING, SimpleType.STRING, SimpleType.STRING,
                    SimpleType.STRING};
            Notification notification = new Notification(type, new ObjectName("renumber:type=Subscription,id=app"),
                    sequence.incrementAndGet(), type);
            notification.setUserData(new CompositeDataSupport(new CompositeType("e", "e", items, items, types), items,
                    new Object[] {changeId, "v0", "10.9.0.1/24", "10.9.1.1/24", "WARNING"}));
            sendNotification(notification);
        }
    }

    public interface ReadySubscriptionMBean extends PlainSubscriptionMBean {
        void ready(String changeId);
    }

    /** A Subscription MBean with the acknowledgement the agent is to offer. */
    public static final class ReadySubscription extends PlainSubscription implements ReadySubscriptionMBean {
        final List<String> ready = new CopyOnWriteArrayList<>();

        @Override
        public void ready(String changeId) {
            ready.add(changeId);
        }
    }
}
