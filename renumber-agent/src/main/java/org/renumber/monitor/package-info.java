/**
 * The interface monitor: recognises a renumbering an operator did by hand (old primary removed, new address
 * added, old one re-added as an alias) in the kernel's address events, and hands it to the address change
 * service (the {@link org.renumber.domain.port.AddressChanges} port) so subscribers are told and the alias is
 * drained like any change. Pure Java: the kernel's events come through the
 * {@link org.renumber.domain.port.AddressEventSource} port, implemented over rtnetlink in {@code org.renumber.linux}.
 */
package org.renumber.monitor;
