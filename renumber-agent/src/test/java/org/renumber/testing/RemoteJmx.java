package org.renumber.testing;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/** A JMX remote client as JConsole or a Java application would use it: RMI connector with a login. */
public final class RemoteJmx implements AutoCloseable {

    private final JMXConnector connector;
    private final MBeanServerConnection connection;

    public RemoteJmx(JMXServiceURL url, String user, String password) throws IOException {
        this.connector = JMXConnectorFactory.connect(url,
                Map.of(JMXConnector.CREDENTIALS, new String[] {user, password}));
        this.connection = connector.getMBeanServerConnection();
    }

    public MBeanServerConnection connection() {
        return connection;
    }

    public Object invoke(String mbean, String operation, Object... args) throws Exception {
        String[] signature = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            signature[i] = args[i] instanceof Long ? long.class.getName()
                    : args[i] instanceof Integer ? int.class.getName() : args[i].getClass().getName();
        }
        return connection.invoke(new ObjectName(mbean), operation, args, signature);
    }

    public Object get(String mbean, String attribute) throws Exception {
        return connection.getAttribute(new ObjectName(mbean), attribute);
    }

    /** Starts recording the notifications of {@code mbean}. */
    public Recorder listen(String mbean) throws Exception {
        Recorder recorder = new Recorder();
        connection.addNotificationListener(new ObjectName(mbean), recorder, null, null);
        return recorder;
    }

    /** Notifications received by a real remote listener, in arrival order. */
    public static final class Recorder implements NotificationListener {
        private final List<Notification> received = new CopyOnWriteArrayList<>();

        @Override
        public void handleNotification(Notification notification, Object handback) {
            received.add(notification);
        }

        public List<String> types() {
            return received.stream().map(Notification::getType).toList();
        }

        public CompositeData data(String type) {
            return received.stream().filter(n -> n.getType().equals(type)).findFirst()
                    .map(n -> (CompositeData) n.getUserData()).orElseThrow();
        }

        public List<Notification> all() {
            return List.copyOf(received);
        }
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
