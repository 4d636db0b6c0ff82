/**
 * The client library for Java applications: {@link org.renumber.client.AddressChangeClient} connects to the agent
 * over JMX, subscribes and delivers the address changes meant for the application to its
 * {@link org.renumber.client.AddressChangeHandler}; ready-made reactions move listeners
 * ({@link org.renumber.client.ListenerRebinder}), reconnect outbound connections
 * ({@link org.renumber.client.ReconnectReaction}) or hand over to a supervisor
 * ({@link org.renumber.client.RestartReaction}). It uses the JDK and the wire contract ({@code org.renumber.api})
 * only. Delivery: {@code AgentConnection} keeps the connection, and one
 * {@code SubscriberFeed} per subscription hands each event to its handler exactly once, in
 * order, catching up by sequence number when notifications were lost.
 */
package org.renumber.client;
