package org.renumber.linux.rtnl;

import static org.renumber.linux.netlink.NetlinkConstants.IFF_UP;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_AF_SPEC;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_EXT_MASK;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_IFNAME;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_INET_CONF;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_INFO_DATA;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_INFO_KIND;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_LINK;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_LINKINFO;
import static org.renumber.linux.netlink.NetlinkConstants.IPV4_DEVCONF_PROMOTE_SECONDARIES;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_CREATE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_DUMP;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_EXCL;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.netlink.NetlinkConstants.RTEXT_FILTER_SKIP_STATS;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_GETLINK;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWLINK;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_SETLINK;
import static org.renumber.linux.netlink.NetlinkConstants.VETH_INFO_PEER;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.StructNlAttr;

/**
 * The link codec: a link (RTM_NEWLINK), parsed once for every user: its index, name, ifi_flags, kind (IFLA_LINKINFO /
 * IFLA_INFO_KIND, e.g. {@code veth}; null for links without one, such as {@code lo}), IFLA_LINK (for a veth,
 * the peer's index; 0 when absent) and its own IPv4 {@code promote_secondaries}; and the requests that list,
 * look up, create and change links, as {@code ip link} sends them.
 */
public record LinkMessage(int index, String name, int flags, String kind, int linkIndex, boolean promoteSecondaries) {

    /** {@code IFNAMSIZ - 1}. */
    static final int MAX_INTERFACE_NAME = 15;

    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    static LinkMessage parse(NetlinkMessage message) {
        if (message.type() != RTM_NEWLINK) {
            return null;
        }
        ByteBuffer body = message.body();
        StructIfInfoMsg info = StructIfInfoMsg.parse(body);
        List<StructNlAttr> attributes = StructNlAttr.parseAll(body);
        StructNlAttr name = StructNlAttr.find(attributes, IFLA_IFNAME);
        StructNlAttr link = StructNlAttr.find(attributes, IFLA_LINK);
        StructNlAttr linkInfo = StructNlAttr.find(attributes, IFLA_LINKINFO);
        StructNlAttr kind = linkInfo == null ? null : StructNlAttr.find(linkInfo.nested(), IFLA_INFO_KIND);
        return new LinkMessage(info.index(), name == null ? "if" + info.index() : name.asString(), info.flags(),
                kind == null ? null : kind.asString(), link == null ? 0 : link.asU32(),
                devconf(attributes, IPV4_DEVCONF_PROMOTE_SECONDARIES) == 1);
    }

    /**
     * An IPv4 devconf value from IFLA_AF_SPEC / AF_INET / IFLA_INET_CONF. In this direction (kernel to user)
     * IFLA_INET_CONF is a plain array of u32, value {@code i} at index {@code i - 1}; -1 when absent.
     */
    static int devconf(List<StructNlAttr> linkAttributes, int index) {
        StructNlAttr afSpec = StructNlAttr.find(linkAttributes, IFLA_AF_SPEC);
        StructNlAttr inet = afSpec == null ? null : StructNlAttr.find(afSpec.nested(), LibC.AF_INET);
        StructNlAttr conf = inet == null ? null : StructNlAttr.find(inet.nested(), IFLA_INET_CONF);
        if (conf == null || conf.length() - StructNlAttr.HEADER_SIZE < index * 4) {
            return -1;
        }
        return conf.valueBuffer().getInt((index - 1) * 4);
    }

    /** RTM_GETLINK dump of every link, without statistics. */
    static NetlinkRequest dumpRequest() {
        NetlinkRequest request = new NetlinkRequest(RTM_GETLINK, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructIfInfoMsg(LibC.AF_UNSPEC, 0, 0, 0, 0).pack(request.buffer());
        StructNlAttr.putU32(request.buffer(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        return request;
    }

    /** RTM_GETLINK of the link named by IFLA_IFNAME ({@code terminated}: the name with its NUL), no statistics. */
    static NetlinkRequest byNameRequest(byte[] terminated) {
        NetlinkRequest request = new NetlinkRequest(RTM_GETLINK, (short) (NLM_F_REQUEST | NLM_F_ACK));
        new StructIfInfoMsg(LibC.AF_UNSPEC, 0, 0, 0, 0).pack(request.buffer());
        StructNlAttr.putU32(request.buffer(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        StructNlAttr.putBytes(request.buffer(), IFLA_IFNAME, terminated);
        return request;
    }

    /**
     * RTM_NEWLINK creating a veth pair (create, fail if it exists): ifinfomsg, IFLA_IFNAME NAME, IFLA_LINKINFO
     * { IFLA_INFO_KIND "veth", IFLA_INFO_DATA { VETH_INFO_PEER: ifinfomsg, IFLA_IFNAME PEER } }. The bytes of
     * {@code ip link add} (iproute2 6.1), with NLA_F_NESTED on the two real nests where iproute2 leaves it out
     * (the kernel accepts both). VETH_INFO_PEER is not a plain nest: it starts with a struct ifinfomsg
     * (veth_newlink parses it with {@code nla_data + sizeof(struct ifinfomsg)}), so it gets no flag.
     */
    static NetlinkRequest vethPairRequest(String name, String peer) {
        byte[] nameBytes = interfaceName(name);
        byte[] peerBytes = interfaceName(peer);
        if (name.equals(peer)) {
            throw new IllegalArgumentException("a veth pair needs two names, not " + name + " twice");
        }
        NetlinkRequest request = new NetlinkRequest(RTM_NEWLINK,
                (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
        ByteBuffer b = request.buffer();
        new StructIfInfoMsg(LibC.AF_UNSPEC, 0, 0, 0, 0).pack(b);
        StructNlAttr.putBytes(b, IFLA_IFNAME, nameBytes);
        int linkInfo = StructNlAttr.beginNested(b, IFLA_LINKINFO);
        // iproute2 sends the kind without its NUL; the kernel compares it as an NLA_STRING either way.
        StructNlAttr.putBytes(b, IFLA_INFO_KIND, "veth".getBytes(StandardCharsets.US_ASCII));
        int data = StructNlAttr.beginNested(b, IFLA_INFO_DATA);
        int peerStart = b.position();
        b.putShort((short) 0).putShort((short) VETH_INFO_PEER);
        new StructIfInfoMsg(LibC.AF_UNSPEC, 0, 0, 0, 0).pack(b);
        StructNlAttr.putBytes(b, IFLA_IFNAME, peerBytes);
        StructNlAttr.endNested(b, peerStart);
        StructNlAttr.endNested(b, data);
        StructNlAttr.endNested(b, linkInfo);
        return request;
    }

    /** RTM_NEWLINK as {@code ip link set NAME up} sends it: IFF_UP in ifi_flags, and in ifi_change to say only it changes. */
    static NetlinkRequest setUpRequest(int index) {
        NetlinkRequest request = new NetlinkRequest(RTM_NEWLINK, (short) (NLM_F_REQUEST | NLM_F_ACK));
        new StructIfInfoMsg(LibC.AF_UNSPEC, 0, index, IFF_UP, IFF_UP).pack(request.buffer());
        return request;
    }

    /** The name NUL-terminated, as IFLA_IFNAME carries it; rejects what the kernel would (1-15 bytes, no / or spaces). */
    static byte[] interfaceName(String name) {
        Objects.requireNonNull(name, "name");
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > MAX_INTERFACE_NAME || name.contains("/") || name.contains(":")
                || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + name + "' is not an interface name (1-15 bytes, no /, : or spaces)");
        }
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    /** RTM_SETLINK with IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { [PROMOTE_SECONDARIES] = u32 } } }. */
    static NetlinkRequest promoteSecondariesRequest(int index, boolean enabled) {
        NetlinkRequest request = new NetlinkRequest(RTM_SETLINK, (short) (NLM_F_REQUEST | NLM_F_ACK));
        new StructIfInfoMsg(LibC.AF_UNSPEC, 0, index, 0, 0).pack(request.buffer());
        ByteBuffer b = request.buffer();
        int afSpec = StructNlAttr.beginNested(b, IFLA_AF_SPEC);
        int inet = StructNlAttr.beginNested(b, LibC.AF_INET);
        int conf = StructNlAttr.beginNested(b, IFLA_INET_CONF);
        StructNlAttr.putU32(b, IPV4_DEVCONF_PROMOTE_SECONDARIES, enabled ? 1 : 0);
        StructNlAttr.endNested(b, conf);
        StructNlAttr.endNested(b, inet);
        StructNlAttr.endNested(b, afSpec);
        return request;
    }
}
