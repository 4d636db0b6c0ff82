/**
 * The domain of an address change: value types (addresses, sockets, changes, subscriptions, events) and
 * the ports the workflow needs (kernel network control, connection tracking, journal). Nothing here knows
 * about JMX, Jolokia or netlink; adapters implement the ports.
 */
package org.renumber.domain;
