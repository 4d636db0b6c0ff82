package org.renumber.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.renumber.api.NotificationTypes;
import org.renumber.api.UserDataKeys;

/**
 * One change's notifications as {@code renumber change} hears them: Jolokia's notification protocol in pull mode
 * (register a client, add a listener on the service MBean for the change event types, pull the store), so the
 * command reads the change's MBean when the agent says something happened instead of every few hundred
 * milliseconds (README.md, "The `renumber` command"). A pull is answered from the agent's
 * in-memory store, so a state between two pulls is never missed. Closing unregisters the client, which removes
 * the listener in the agent.
 */
final class ChangeEvents implements AutoCloseable {

    /** Jolokia drops clients that neither pull nor ping for a while; a ping now and then keeps a long drain alive. */
    private static final long PING_MILLIS = 30_000;

    private final JolokiaConnection agent;
    private final String changeId;
    private final String client;
    private final String store;
    private final String handle;
    private long lastPing = System.currentTimeMillis();
    private boolean closed;

    private ChangeEvents(JolokiaConnection agent, String changeId, String client, String store, String handle) {
        this.agent = agent;
        this.changeId = changeId;
        this.client = client;
        this.store = store;
        this.handle = handle;
    }

    /**
     * Listens for the change's events; {@code null} when the agent offers no notifications to this client (the
     * follower then reads the change's MBean on a slow timer instead).
     */
    static ChangeEvents listen(JolokiaConnection agent, String changeId) {
        String client;
        String store;
        try {
            String[] registration = agent.registerForNotifications();
            client = registration[0];
            store = registration[1];
        } catch (CliFailure e) {
            if (e.exitCode() == CliFailure.UNREACHABLE) {
                throw e;
            }
            return null;
        }
        try {
            String handle = agent.listen(client, ClientCommand.SERVICE, NotificationTypes.CHANGE);
            return new ChangeEvents(agent, changeId, client, store, handle);
        } catch (CliFailure e) {
            unregisterQuietly(agent, client);
            if (e.exitCode() == CliFailure.UNREACHABLE) {
                throw e;
            }
            return null;
        }
    }

    /**
     * Takes what the agent stored since the last pull; true when any of it is about this change, or when the store
     * dropped some (then nobody knows, and the caller must read the change).
     */
    boolean pull() {
        JsonNode result = agent.exec(store, "pull", client, handle);
        boolean news = result.path("dropped").asInt() > 0;
        for (JsonNode notification : result.path("notifications")) {
            if (changeId.equals(notification.path("userData").path(UserDataKeys.ChangeEvent.CHANGE_ID).asText())) {
                news = true;
            }
        }
        long now = System.currentTimeMillis();
        if (now - lastPing >= PING_MILLIS) {
            agent.ping(client);
            lastPing = now;
        }
        return news;
    }

    /** Unregisters the client; safe to call twice, and never fails: the agent expires forgotten clients anyway. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            unregisterQuietly(agent, client);
        }
    }

    private static void unregisterQuietly(JolokiaConnection agent, String client) {
        try {
            agent.unregister(client);
        } catch (CliFailure e) {
            // the agent expires clients that stop pulling
        }
    }
}
