/**
 * The domain of an address change: value types (addresses, sockets, changes, subscriptions, events) and
 * the ports the workflow needs (kernel network control, connection tracking, journal, and for the drain the
 * inbound guard, the socket killer and the inventory of listeners and UDP sockets). Nothing here knows
 * about JMX, Jolokia or netlink; adapters implement the ports.
 */
package org.renumber.domain;
