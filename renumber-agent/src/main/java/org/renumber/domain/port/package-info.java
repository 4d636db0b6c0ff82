/**
 * The ports: every interface through which the use cases (service, monitor, application) reach the world, named
 * for what they are. Adapters implement them and are named for how they do it: {@code linux} (netlink, nftables,
 * sock_diag), {@code process} (procfs), {@code journal} (JSON files); the service implements
 * {@link org.renumber.domain.port.AddressChanges} for the monitor. Like the rest of the domain, JDK only.
 */
package org.renumber.domain.port;
