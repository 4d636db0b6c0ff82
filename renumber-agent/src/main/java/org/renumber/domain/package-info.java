/**
 * The domain of an address change: value types (addresses, sockets, changes, subscriptions, events, settings) and
 * the rules a change obeys ({@link org.renumber.domain.AddressRules}). Its ports live in
 * {@code org.renumber.domain.port}. Nothing here knows about JMX, Jolokia or netlink (ArchitectureTest checks
 * it references only the JDK); adapters implement the ports.
 */
package org.renumber.domain;
