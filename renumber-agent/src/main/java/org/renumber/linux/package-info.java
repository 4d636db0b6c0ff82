/**
 * The Linux adapter: implements the domain's kernel ports with netlink sockets through JNA, rtnetlink for
 * addresses, routes, policy rules and interface settings, sock_diag for finding and following TCP sockets,
 * listing UDP sockets and destroying sockets (SOCK_DESTROY), and nftables through the {@code nft} tool for the
 * inbound guard ({@link org.renumber.linux.NftablesGuard}). Every socket is created inside the managed network
 * namespace on a dedicated thread ({@link org.renumber.linux.LinuxNetns}), so the agent itself stays in its own
 * namespace. It can also create a named namespace as {@code ip netns add} does
 * ({@link org.renumber.linux.LinuxNamespaces}) and a veth pair in it ({@link org.renumber.linux.NetlinkLinks}),
 * for the sandbox. One class per kernel struct keeps each byte layout in one place, unit-tested against bytes
 * captured from the kernel.
 */
package org.renumber.linux;
