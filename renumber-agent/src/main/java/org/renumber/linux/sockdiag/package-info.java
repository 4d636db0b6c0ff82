/**
 * sock_diag ({@code NETLINK_SOCK_DIAG}): the inet_diag structs and filter bytecode, the
 * {@link org.renumber.domain.port.ConnectionTracker} that follows an address's TCP connections
 * ({@link org.renumber.linux.sockdiag.SockDiagConnectionTracker}), the socket inventory and the socket killer
 * (SOCK_DESTROY). Built on {@code linux.netlink}; knows nothing of rtnetlink.
 */
package org.renumber.linux.sockdiag;
