package org.renumber.linux.netlink;

/**
 * Netlink numbers from the kernel UAPI headers ({@code linux/netlink.h}, {@code linux/rtnetlink.h},
 * {@code linux/if_addr.h}, {@code linux/if_link.h}, {@code linux/fib_rules.h}, {@code linux/ip.h},
 * {@code linux/sock_diag.h}, {@code linux/inet_diag.h}). Only what this adapter uses.
 */
public final class NetlinkConstants {

    // linux/netlink.h: protocols
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_SOCK_DIAG = 4;

    // socket options at level SOL_NETLINK
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;

    // message types below 16 are netlink control messages
    public static final short NLMSG_NOOP = 1;
    public static final short NLMSG_ERROR = 2;
    public static final short NLMSG_DONE = 3;
    public static final short NLMSG_OVERRUN = 4;

    // nlmsg_flags
    public static final short NLM_F_REQUEST = 0x01;
    public static final short NLM_F_MULTI = 0x02;
    public static final short NLM_F_ACK = 0x04;
    public static final short NLM_F_DUMP_INTR = 0x10;
    public static final short NLM_F_ROOT = 0x100;
    public static final short NLM_F_MATCH = 0x200;
    public static final short NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public static final short NLM_F_REPLACE = 0x100;
    public static final short NLM_F_EXCL = 0x200;
    public static final short NLM_F_CREATE = 0x400;
    public static final short NLM_F_APPEND = 0x800;
    // flags of an NLMSG_ERROR message
    public static final short NLM_F_CAPPED = 0x100;
    public static final short NLM_F_ACK_TLVS = 0x200;

    // extended ack attributes (enum nlmsgerr_attrs)
    public static final int NLMSGERR_ATTR_MSG = 1;

    // nlattr type flags
    public static final int NLA_F_NESTED = 1 << 15;
    public static final int NLA_F_NET_BYTEORDER = 1 << 14;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    // linux/rtnetlink.h: message types
    public static final short RTM_NEWLINK = 16;
    public static final short RTM_GETLINK = 18;
    public static final short RTM_SETLINK = 19;
    public static final short RTM_NEWADDR = 20;
    public static final short RTM_DELADDR = 21;
    public static final short RTM_GETADDR = 22;
    public static final short RTM_NEWROUTE = 24;
    public static final short RTM_DELROUTE = 25;
    public static final short RTM_GETROUTE = 26;
    public static final short RTM_NEWRULE = 32;
    public static final short RTM_DELRULE = 33;
    public static final short RTM_GETRULE = 34;

    // rtnetlink multicast groups (enum rtnetlink_groups), for NetlinkSocket.joinGroup
    public static final int RTNLGRP_LINK = 1;
    public static final int RTNLGRP_IPV4_IFADDR = 5;
    public static final int RTNLGRP_IPV4_ROUTE = 7;
    public static final int RTNLGRP_IPV6_IFADDR = 9;
    public static final int RTNLGRP_IPV6_ROUTE = 11;

    // rtmsg: tables, protocols, scopes, types
    public static final int RT_TABLE_DEFAULT = 253;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_TABLE_LOCAL = 255;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;
    public static final int RTPROT_RA = 9;
    public static final int RTPROT_DHCP = 16;
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_NOWHERE = 255;
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;

    // route attributes (enum rtattr_type_t)
    public static final int RTA_DST = 1;
    public static final int RTA_SRC = 2;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_METRICS = 8;
    public static final int RTA_MULTIPATH = 9;
    public static final int RTA_FLOW = 11;
    public static final int RTA_TABLE = 15;
    public static final int RTA_VIA = 18;
    public static final int RTA_PREF = 20;
    public static final int RTA_ENCAP_TYPE = 21;
    public static final int RTA_ENCAP = 22;
    public static final int RTA_NH_ID = 30;
    /** rtm_flags / rtnh_flags: the gateway is on the link even without a route to it ({@code onlink}). */
    public static final int RTNH_F_ONLINK = 4;

    // linux/fib_rules.h: policy rules (struct fib_rule_hdr, enum FRA_*, FIB_RULE_* flags, FR_ACT_* actions)
    public static final int FRA_DST = 1;
    public static final int FRA_SRC = 2;
    public static final int FRA_IIFNAME = 3;
    public static final int FRA_GOTO = 4;
    public static final int FRA_PRIORITY = 6;
    public static final int FRA_FWMARK = 10;
    public static final int FRA_TABLE = 15;
    public static final int FRA_FWMASK = 16;
    public static final int FRA_OIFNAME = 17;
    public static final int FRA_PAD = 18;
    public static final int FRA_PROTOCOL = 21;
    /** A rule matches what its selectors do not ({@code ip rule add not from ...}). */
    public static final int FIB_RULE_INVERT = 0x2;
    public static final int FIB_RULE_FIND_SADDR = 0x10000;
    public static final int FR_ACT_TO_TBL = 1;
    public static final int FR_ACT_GOTO = 2;
    public static final int FR_ACT_NOP = 3;
    public static final int FR_ACT_BLACKHOLE = 6;
    public static final int FR_ACT_UNREACHABLE = 7;
    public static final int FR_ACT_PROHIBIT = 8;

    /** Metric the kernel gives IPv6 connected (prefix) routes ({@code IP6_RT_PRIO_ADDRCONF}). */
    public static final int IP6_RT_PRIO_ADDRCONF = 256;

    // linux/if_addr.h: address attributes and flags
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_BROADCAST = 4;
    public static final int IFA_CACHEINFO = 6;
    public static final int IFA_FLAGS = 8;
    public static final int IFA_RT_PRIORITY = 9;
    public static final int IFA_PROTO = 11;
    public static final int IFA_F_SECONDARY = 0x01;
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_OPTIMISTIC = 0x04;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_HOMEADDRESS = 0x10;
    public static final int IFA_F_DEPRECATED = 0x20;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_MANAGETEMPADDR = 0x100;
    public static final int IFA_F_NOPREFIXROUTE = 0x200;
    public static final int IFA_F_MCAUTOJOIN = 0x400;

    // linux/if_link.h: link attributes
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_EXT_MASK = 29;
    public static final int IFLA_AF_SPEC = 26;
    public static final int IFLA_INET_CONF = 1;
    public static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

    // linux/if_link.h, linux/veth.h: creating links (ip link add NAME type veth peer name PEER)
    public static final int IFLA_LINK = 5;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    public static final int VETH_INFO_PEER = 1;

    /** linux/if.h: ifi_flags bit of an administratively up interface. */
    public static final int IFF_UP = 0x1;

    /** linux/ip.h: index of promote_secondaries in the IPv4 devconf (enum starts at FORWARDING = 1). */
    public static final int IPV4_DEVCONF_PROMOTE_SECONDARIES = 20;

    // linux/sock_diag.h
    public static final short SOCK_DIAG_BY_FAMILY = 20;
    /** Destroys one socket, named by the inet_diag_sockid (cookie included) a dump reported; CONFIG_INET_DIAG_DESTROY. */
    public static final short SOCK_DESTROY = 21;
    public static final int SKNLGRP_INET_TCP_DESTROY = 1;
    public static final int SKNLGRP_INET_UDP_DESTROY = 2;
    public static final int SKNLGRP_INET6_TCP_DESTROY = 3;
    public static final int SKNLGRP_INET6_UDP_DESTROY = 4;

    // linux/inet_diag.h
    /** Legacy TCP request ({@code struct inet_diag_req}); its dump covers AF_INET and AF_INET6 in one walk. */
    public static final short TCPDIAG_GETSOCK = 18;
    public static final int INET_DIAG_REQ_BYTECODE = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;

    private NetlinkConstants() {
    }
}
