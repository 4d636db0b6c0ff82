/**
 * The client library for Java applications: {@link org.renumber.client.AddressChangeClient} connects to the agent
 * over JMX, subscribes and delivers the address changes meant for the application to its
 * {@link org.renumber.client.AddressChangeHandler}; ready-made reactions move listeners
 * ({@link org.renumber.client.ListenerRebinder}), reconnect outbound connections
 * ({@link org.renumber.client.ReconnectReaction}) or hand over to a supervisor
 * ({@link org.renumber.client.RestartReaction}). It uses the JDK only and no other renumber package, so an
 * application needs nothing but this jar; the notification type names are duplicated on purpose.
 */
package org.renumber.client;
