package org.renumber.client;

/**
 * Told when the connection to the agent comes and goes. {@link AddressChangeClient} reconnects and
 * resubscribes by itself; these calls only let the application know (log it, report health). They run on the
 * client's event thread, in order with the handlers' events, and should return quickly.
 */
public interface ConnectionListener {

    /**
     * The connection to the agent is lost (agent stopped or restarted, connector closed). Events sent while it
     * is down are not received; the client tries to reconnect with growing pauses.
     */
    default void disconnected(Throwable cause) {
    }

    /** A reconnection attempt failed; another follows after {@code nextAttemptMillis}. */
    default void reconnectFailed(int attempt, Throwable cause, long nextAttemptMillis) {
    }

    /** The client is connected again and every subscription is back in place (re-created where the agent had none). */
    default void reconnected() {
    }

    /**
     * A Subscription MBean of this client went away while connected: an operator called {@code unsubscribe}, or
     * an agent in this JVM stopped. No events arrive for it until it comes back; the client does not re-create
     * it, but when it reappears (an in-process agent restarted) the client listens again and calls
     * {@link #reconnected()}.
     */
    default void subscriptionLost(String subscriberId) {
    }
}
