package org.renumber.linux.rtnl;

import static org.renumber.linux.netlink.NetlinkConstants.FIB_RULE_FIND_SADDR;
import static org.renumber.linux.netlink.NetlinkConstants.FIB_RULE_INVERT;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_DST;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_FWMARK;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_FWMASK;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_GOTO;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_IIFNAME;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_OIFNAME;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_PAD;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_PRIORITY;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_PROTOCOL;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_SRC;
import static org.renumber.linux.netlink.NetlinkConstants.FRA_TABLE;
import static org.renumber.linux.netlink.NetlinkConstants.FR_ACT_BLACKHOLE;
import static org.renumber.linux.netlink.NetlinkConstants.FR_ACT_GOTO;
import static org.renumber.linux.netlink.NetlinkConstants.FR_ACT_NOP;
import static org.renumber.linux.netlink.NetlinkConstants.FR_ACT_PROHIBIT;
import static org.renumber.linux.netlink.NetlinkConstants.FR_ACT_TO_TBL;
import static org.renumber.linux.netlink.NetlinkConstants.FR_ACT_UNREACHABLE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_CREATE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_DUMP;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_EXCL;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_DELRULE;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_GETRULE;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWRULE;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.renumber.domain.InterfaceAddress;
import org.renumber.linux.IpText;
import org.renumber.linux.LibC;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.StructNlAttr;

/**
 * A dumped policy rule (RTM_NEWRULE) with what it takes to send it back to the kernel for another address: its
 * fib_rule_hdr and all its attributes. The kernel keys a rule by every selector, its priority and its action
 * (rule_exists), so the same rule with another address is another rule and both can be there at once.
 */
record RuleMessage(StructFibRuleHdr header, List<StructNlAttr> attributes) {

    /** A rule request must fit a {@link NetlinkRequest} (4 KiB) with its addresses added. */
    private static final int KEY_CAPACITY = 4000;
    /** Version tag of the rule key format in journals. */
    private static final String KEY_PREFIX = "fibrule1:";
    /**
     * The flags a request sets: the others are state the kernel reports ({@code unresolved}, {@code detached}) or
     * {@code permanent}, which would make the copy undeletable.
     */
    private static final int REQUEST_FLAGS = FIB_RULE_INVERT | FIB_RULE_FIND_SADDR;

    static RuleMessage parse(NetlinkMessage message) {
        if (message.type() != RTM_NEWRULE) {
            return null;
        }
        ByteBuffer body = message.body();
        StructFibRuleHdr header = StructFibRuleHdr.parse(body);
        return new RuleMessage(header, StructNlAttr.parseAll(body));
    }

    /** The source selector ({@code from ADDR/LEN}), or null for a rule of every source ({@code from all}). */
    InterfaceAddress source() {
        return selector(FRA_SRC, header.srcLength());
    }

    /** The destination selector ({@code to ADDR/LEN}), or null for a rule of every destination ({@code to all}). */
    InterfaceAddress destination() {
        return selector(FRA_DST, header.dstLength());
    }

    private InterfaceAddress selector(int kind, int length) {
        StructNlAttr prefix = StructNlAttr.find(attributes, kind);
        return prefix == null || length == 0 ? null : new InterfaceAddress(prefix.asInetAddress(), length);
    }

    /** Whether the source or the destination selector contains {@code address}. */
    boolean selects(InetAddress address) {
        return contains(source(), address) || contains(destination(), address);
    }

    /**
     * Whether the rule has an equivalent for another address in place of {@code address}: a selector names
     * exactly {@code address} ({@code from ADDR/32}, {@code to ADDR/128}), and the rule is not inverted:
     * {@code not to OLD} selects every address but the old one, and only the operator knows what it should become.
     */
    boolean copyableFrom(InetAddress address) {
        return (names(source(), address) || names(destination(), address))
                && (header.flags() & FIB_RULE_INVERT) == 0;
    }

    private static boolean contains(InterfaceAddress selector, InetAddress address) {
        return selector != null && selector.contains(address);
    }

    private static boolean names(InterfaceAddress selector, InetAddress address) {
        return selector != null && selector.address().equals(address)
                && selector.prefixLength() == InterfaceAddress.maxPrefix(address);
    }

    /**
     * The key for {@code address}: the fib_rule_hdr with the flags a request sets, and every attribute but padding
     * and each selector that names exactly {@code address}, with the priority spelled out (the kernel omits
     * priority 0 from a dump, and a request without one gets a priority of the kernel's choosing), in kernel byte
     * layout, as hex. A selector the header gives a prefix length and the key no address for is where another
     * address goes: the kernel never has such a rule (fib_nl2rule refuses a length without its address). Keys
     * journaled when only {@code from} rules were copied are such keys for the source.
     */
    String key(InetAddress address) {
        ByteBuffer key = ByteBuffer.allocate(KEY_CAPACITY).order(ByteOrder.nativeOrder());
        new StructFibRuleHdr(header.family(), header.dstLength(), header.srcLength(), header.tos(), header.table(),
                header.action(), header.flags() & REQUEST_FLAGS).pack(key);
        if (StructNlAttr.find(attributes, FRA_PRIORITY) == null) {
            StructNlAttr.putU32(key, FRA_PRIORITY, 0);
        }
        boolean sourceNamed = names(source(), address);
        boolean destinationNamed = names(destination(), address);
        for (StructNlAttr attribute : attributes) {
            boolean named = attribute.kind() == FRA_SRC ? sourceNamed
                    : attribute.kind() == FRA_DST && destinationNamed;
            if (!named && attribute.kind() != FRA_PAD) {
                attribute.pack(key);
            }
        }
        return KEY_PREFIX + HexFormat.of().formatHex(key.array(), 0, key.position());
    }

    /**
     * The rule as {@code ip rule add} takes it, on one line:
     * {@code from 10.9.0.1 iif v0 fwmark 0x5/0xff lookup 100 priority 1000}.
     */
    String text() {
        StringBuilder text = new StringBuilder((header.flags() & FIB_RULE_INVERT) != 0 ? "not from " : "from ");
        text.append(prefixText(source()));
        if (destination() != null) {
            text.append(" to ").append(prefixText(destination()));
        }
        if (header.tos() != 0) {
            text.append(" tos 0x").append(Integer.toHexString(header.tos()));
        }
        StructNlAttr mark = StructNlAttr.find(attributes, FRA_FWMARK);
        StructNlAttr mask = StructNlAttr.find(attributes, FRA_FWMASK);
        if (mark != null || mask != null) {
            text.append(" fwmark 0x").append(Integer.toHexString(mark == null ? 0 : mark.asU32()));
            if (mask != null && mask.asU32() != -1) {
                text.append("/0x").append(Integer.toHexString(mask.asU32()));
            }
        }
        StructNlAttr iif = StructNlAttr.find(attributes, FRA_IIFNAME);
        if (iif != null) {
            text.append(" iif ").append(iif.asString());
        }
        StructNlAttr oif = StructNlAttr.find(attributes, FRA_OIFNAME);
        if (oif != null) {
            text.append(" oif ").append(oif.asString());
        }
        text.append(' ').append(actionText());
        StructNlAttr priority = StructNlAttr.find(attributes, FRA_PRIORITY);
        text.append(" priority ").append(priority == null ? "0" : Integer.toUnsignedString(priority.asU32()));
        StructNlAttr protocol = StructNlAttr.find(attributes, FRA_PROTOCOL);
        if (protocol != null && protocol.asU8() != 0) {
            text.append(" proto ").append(RouteMessage.protocolName(protocol.asU8()));
        }
        return text.toString();
    }

    private String actionText() {
        StructNlAttr table = StructNlAttr.find(attributes, FRA_TABLE);
        StructNlAttr target = StructNlAttr.find(attributes, FRA_GOTO);
        return switch (header.action()) {
            case FR_ACT_TO_TBL -> "lookup " + RouteMessage.tableName(table != null ? table.asU32()
                    : header.table());
            case FR_ACT_GOTO -> "goto " + (target == null ? "none" : Integer.toUnsignedString(target.asU32()));
            case FR_ACT_NOP -> "nop";
            case FR_ACT_BLACKHOLE -> "blackhole";
            case FR_ACT_UNREACHABLE -> "unreachable";
            case FR_ACT_PROHIBIT -> "prohibit";
            default -> "action " + header.action();
        };
    }

    /** iproute2 leaves out the length of a single address and writes {@code all} for the empty prefix. */
    private static String prefixText(InterfaceAddress prefix) {
        if (prefix == null) {
            return "all";
        }
        String address = IpText.of(prefix.address());
        return prefix.prefixLength() == InterfaceAddress.maxPrefix(prefix.address()) ? address
                : address + "/" + prefix.prefixLength();
    }

    /** RTM_GETRULE dump of every rule of {@code family}. */
    static NetlinkRequest dumpRequest(int family) {
        NetlinkRequest request = new NetlinkRequest(RTM_GETRULE, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        new StructFibRuleHdr(family, 0, 0, 0, 0, 0, 0).pack(request.buffer());
        return request;
    }

    /**
     * RTM_NEWRULE of the keyed rule with {@code address} in each selector that named the one it was keyed for, as
     * {@code ip rule add from ADDRESS ...} sends it: create, and fail with EEXIST if that very rule is there
     * (without NLM_F_EXCL the kernel would add a second, identical one).
     */
    static NetlinkRequest addRequest(String key, InetAddress address) {
        return request(RTM_NEWRULE, (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL), key, address);
    }

    /** RTM_DELRULE of the keyed rule with {@code address} in the named selectors; ENOENT when there is none. */
    static NetlinkRequest deleteRequest(String key, InetAddress address) {
        return request(RTM_DELRULE, (short) (NLM_F_REQUEST | NLM_F_ACK), key, address);
    }

    private static NetlinkRequest request(short type, short flags, String key, InetAddress address) {
        if (!key.startsWith(KEY_PREFIX)) {
            throw new IllegalArgumentException("'" + key + "' is not a rule key of this adapter");
        }
        byte[] template = HexFormat.of().parseHex(key, KEY_PREFIX.length(), key.length());
        if (template.length < StructFibRuleHdr.SIZE) {
            throw new IllegalArgumentException("'" + key + "' is too short for a rule key");
        }
        ByteBuffer buffer = ByteBuffer.wrap(template).order(ByteOrder.nativeOrder());
        StructFibRuleHdr header = StructFibRuleHdr.parse(buffer);
        List<StructNlAttr> attributes = StructNlAttr.parseAll(buffer);
        boolean source = header.srcLength() != 0 && StructNlAttr.find(attributes, FRA_SRC) == null;
        boolean destination = header.dstLength() != 0 && StructNlAttr.find(attributes, FRA_DST) == null;
        int family = address instanceof Inet4Address ? LibC.AF_INET : LibC.AF_INET6;
        int maxPrefix = InterfaceAddress.maxPrefix(address);
        if (header.family() != family || !(source || destination) || header.srcLength() > maxPrefix
                || header.dstLength() > maxPrefix) {
            throw new IllegalArgumentException("address " + IpText.of(address) + " does not fit the rule " + key);
        }
        NetlinkRequest request = new NetlinkRequest(type, flags);
        request.buffer().put(template);
        if (source) {
            StructNlAttr.putAddress(request.buffer(), FRA_SRC, address);
        }
        if (destination) {
            StructNlAttr.putAddress(request.buffer(), FRA_DST, address);
        }
        return request;
    }
}
