/**
 * The Linux adapter's ground floor: libc through JNA ({@link org.renumber.linux.LibC}, {@link org.renumber.linux.Errno}),
 * network namespaces, and nftables through the {@code nft} tool for the inbound guard
 * ({@link org.renumber.linux.NftablesGuard}). Every kernel socket is created inside the managed network namespace on
 * a dedicated thread ({@link org.renumber.linux.LinuxNetns}), so the agent itself stays in its own namespace; the
 * agent can also create a named namespace as {@code ip netns add} does ({@link org.renumber.linux.LinuxNamespaces}),
 * for the sandbox.
 *
 * <p>The netlink adapters live in three rooms above this one (docs/architecture.md, "Packages of the agent"):
 * {@code linux.netlink} (socket and message framing), {@code linux.rtnl} (addresses, routes, rules, links) and
 * {@code linux.sockdiag} (TCP and UDP sockets). This package depends on none of them ({@code ArchitectureTest}).
 */
package org.renumber.linux;
