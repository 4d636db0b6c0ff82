/**
 * Netlink framing, shared by rtnetlink and sock_diag: the socket ({@link org.renumber.linux.netlink.NetlinkSocket}:
 * requests, acknowledgements, dumps, multicast groups), the message header, attributes, the error message with
 * its extended ack, requests as bytes, and the UAPI constants ({@code linux/netlink.h} and the families' headers).
 * One class per kernel struct keeps each byte layout in one place, unit-tested against bytes captured from the
 * kernel. Depends only on {@code org.renumber.linux} (libc, namespaces).
 */
package org.renumber.linux.netlink;
