package org.renumber.linux;

import static org.renumber.linux.NetlinkConstants.FIB_RULE_FIND_SADDR;
import static org.renumber.linux.NetlinkConstants.FIB_RULE_INVERT;
import static org.renumber.linux.NetlinkConstants.FRA_DST;
import static org.renumber.linux.NetlinkConstants.FRA_FWMARK;
import static org.renumber.linux.NetlinkConstants.FRA_FWMASK;
import static org.renumber.linux.NetlinkConstants.FRA_GOTO;
import static org.renumber.linux.NetlinkConstants.FRA_IIFNAME;
import static org.renumber.linux.NetlinkConstants.FRA_OIFNAME;
import static org.renumber.linux.NetlinkConstants.FRA_PAD;
import static org.renumber.linux.NetlinkConstants.FRA_PRIORITY;
import static org.renumber.linux.NetlinkConstants.FRA_PROTOCOL;
import static org.renumber.linux.NetlinkConstants.FRA_SRC;
import static org.renumber.linux.NetlinkConstants.FRA_TABLE;
import static org.renumber.linux.NetlinkConstants.FR_ACT_BLACKHOLE;
import static org.renumber.linux.NetlinkConstants.FR_ACT_GOTO;
import static org.renumber.linux.NetlinkConstants.FR_ACT_NOP;
import static org.renumber.linux.NetlinkConstants.FR_ACT_PROHIBIT;
import static org.renumber.linux.NetlinkConstants.FR_ACT_TO_TBL;
import static org.renumber.linux.NetlinkConstants.FR_ACT_UNREACHABLE;
import static org.renumber.linux.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.NetlinkConstants.NLM_F_CREATE;
import static org.renumber.linux.NetlinkConstants.NLM_F_EXCL;
import static org.renumber.linux.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.NetlinkConstants.RTM_DELRULE;
import static org.renumber.linux.NetlinkConstants.RTM_NEWRULE;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.renumber.domain.InterfaceAddress;

/**
 * A dumped policy rule (RTM_NEWRULE) with what it takes to send it back to the kernel for another source address:
 * its fib_rule_hdr and all its attributes. The kernel keys a rule by every selector, its priority and its action
 * (rule_exists), so the same rule with another source is another rule and both can be there at once.
 */
record RuleMessage(StructFibRuleHdr header, List<StructNlAttr> attributes) {

    /** A rule request must fit a {@link NetlinkRequest} (4 KiB) with its source added. */
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
        StructNlAttr source = StructNlAttr.find(attributes, FRA_SRC);
        return source == null || header.srcLength() == 0 ? null
                : new InterfaceAddress(source.asInetAddress(), header.srcLength());
    }

    /** Whether the rule selects exactly {@code address}: {@code from ADDR/32} or {@code /128}, not inverted. */
    boolean selectsOnly(InetAddress address) {
        InterfaceAddress source = source();
        return source != null && source.address().equals(address)
                && source.prefixLength() == InterfaceAddress.maxPrefix(address)
                && (header.flags() & FIB_RULE_INVERT) == 0;
    }

    /**
     * The key: the fib_rule_hdr with the flags a request sets, and every attribute but the source (and padding),
     * with the priority spelled out (the kernel omits priority 0 from a dump, and a request without one gets a
     * priority of the kernel's choosing), in kernel byte layout, as hex.
     */
    String key() {
        ByteBuffer key = ByteBuffer.allocate(KEY_CAPACITY).order(ByteOrder.nativeOrder());
        new StructFibRuleHdr(header.family(), header.dstLength(), header.srcLength(), header.tos(), header.table(),
                header.action(), header.flags() & REQUEST_FLAGS).pack(key);
        if (StructNlAttr.find(attributes, FRA_PRIORITY) == null) {
            StructNlAttr.putU32(key, FRA_PRIORITY, 0);
        }
        for (StructNlAttr attribute : attributes) {
            if (attribute.kind() != FRA_SRC && attribute.kind() != FRA_PAD) {
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
        StructNlAttr destination = StructNlAttr.find(attributes, FRA_DST);
        if (destination != null && header.dstLength() != 0) {
            text.append(" to ").append(prefixText(new InterfaceAddress(destination.asInetAddress(),
                    header.dstLength())));
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
            text.append(" proto ").append(NetlinkNetworkControl.protocolName(protocol.asU8()));
        }
        return text.toString();
    }

    private String actionText() {
        StructNlAttr table = StructNlAttr.find(attributes, FRA_TABLE);
        StructNlAttr target = StructNlAttr.find(attributes, FRA_GOTO);
        return switch (header.action()) {
            case FR_ACT_TO_TBL -> "lookup " + NetlinkNetworkControl.tableName(table != null ? table.asU32()
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

    /**
     * RTM_NEWRULE of the keyed rule with {@code source} as its source, as {@code ip rule add from SOURCE ...}
     * sends it: create, and fail with EEXIST if that very rule is there (without NLM_F_EXCL the kernel would add
     * a second, identical one).
     */
    static NetlinkRequest addRequest(String key, InetAddress source) {
        return request(RTM_NEWRULE, (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL), key, source);
    }

    /** RTM_DELRULE of the keyed rule with {@code source} as its source; ENOENT when there is none. */
    static NetlinkRequest deleteRequest(String key, InetAddress source) {
        return request(RTM_DELRULE, (short) (NLM_F_REQUEST | NLM_F_ACK), key, source);
    }

    private static NetlinkRequest request(short type, short flags, String key, InetAddress source) {
        if (!key.startsWith(KEY_PREFIX)) {
            throw new IllegalArgumentException("'" + key + "' is not a rule key of this adapter");
        }
        byte[] template = HexFormat.of().parseHex(key, KEY_PREFIX.length(), key.length());
        int family = template.length < StructFibRuleHdr.SIZE ? -1 : template[0] & 0xff;
        int sourceLength = template.length < StructFibRuleHdr.SIZE ? -1 : template[2] & 0xff;
        int sourceFamily = source instanceof Inet4Address ? LibC.AF_INET : LibC.AF_INET6;
        if (family != sourceFamily || sourceLength == 0 || sourceLength > InterfaceAddress.maxPrefix(source)) {
            throw new IllegalArgumentException("source " + IpText.of(source) + " does not fit the rule " + key);
        }
        NetlinkRequest request = new NetlinkRequest(type, flags);
        request.buffer().put(template);
        StructNlAttr.putAddress(request.buffer(), FRA_SRC, source);
        return request;
    }
}
