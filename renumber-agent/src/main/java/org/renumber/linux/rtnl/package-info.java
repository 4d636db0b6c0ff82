/**
 * rtnetlink ({@code NETLINK_ROUTE}): the {@link org.renumber.domain.port.NetworkControl} adapter
 * ({@link org.renumber.linux.rtnl.NetlinkNetworkControl}) for addresses, routes, policy rules and interface
 * settings, the address event source ({@link org.renumber.linux.rtnl.RtnetlinkAddressEvents}) and veth pairs for the
 * sandbox ({@link org.renumber.linux.rtnl.NetlinkLinks}). Each message (address, route, rule, link) has one codec
 * that parses and packs its own bytes. Built on {@code linux.netlink}; knows nothing of sock_diag.
 */
package org.renumber.linux.rtnl;
