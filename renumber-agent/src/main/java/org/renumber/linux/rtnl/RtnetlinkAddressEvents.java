package org.renumber.linux.rtnl;

import static org.renumber.linux.netlink.NetlinkConstants.IFA_F_SECONDARY;
import static org.renumber.linux.netlink.NetlinkConstants.IFLA_EXT_MASK;
import static org.renumber.linux.netlink.NetlinkConstants.NETLINK_ROUTE;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_ACK;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_DUMP;
import static org.renumber.linux.netlink.NetlinkConstants.NLM_F_REQUEST;
import static org.renumber.linux.netlink.NetlinkConstants.RTEXT_FILTER_SKIP_STATS;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_GETADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_GETLINK;
import static org.renumber.linux.netlink.NetlinkConstants.RTM_NEWADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTNLGRP_IPV4_IFADDR;
import static org.renumber.linux.netlink.NetlinkConstants.RTNLGRP_IPV6_IFADDR;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.renumber.domain.AddressEvent;
import org.renumber.domain.ConfiguredAddress;
import org.renumber.domain.InterfaceAddress;
import org.renumber.domain.NetworkException;
import org.renumber.domain.port.AddressEventSource;
import org.renumber.linux.Errno;
import org.renumber.linux.LibC;
import org.renumber.linux.LinuxNetns;
import org.renumber.linux.netlink.EventFd;
import org.renumber.linux.netlink.NetlinkMessage;
import org.renumber.linux.netlink.NetlinkRequest;
import org.renumber.linux.netlink.NetlinkSocket;
import org.renumber.linux.netlink.StructNlAttr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AddressEventSource} over rtnetlink: a socket in the managed namespace joined to the IPv4 and IPv6
 * address groups ({@code RTNLGRP_IPV4_IFADDR}, {@code RTNLGRP_IPV6_IFADDR}), read by its own daemon thread that
 * blocks in poll(2) until the kernel has something to say.
 *
 * <p>The reader keeps the set of addresses it knows (a dump when it starts, then every event) and reports only
 * real additions and removals: a RTM_NEWADDR for an address already known is an update (IPv6 DAD finishing, a
 * lifetime refreshed, a secondary promoted). When the kernel dropped events because the receive buffer was full
 * (ENOBUFS), it dumps the addresses again and reports the difference with what it knew as events, removals
 * first; an address whose label or secondary flag changed was removed and added again in between.
 */
public final class RtnetlinkAddressEvents implements AddressEventSource {

    /** Address events are rare; this holds thousands of them (each costs about 1 KiB of buffer). */
    static final int EVENT_RECEIVE_BUFFER = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(RtnetlinkAddressEvents.class);

    private final LinuxNetns netns;
    private final Clock clock;

    public RtnetlinkAddressEvents(LinuxNetns netns, Clock clock) {
        this.netns = Objects.requireNonNull(netns, "netns");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Watch watch(Sink sink) {
        Reader reader = open(sink, EVENT_RECEIVE_BUFFER);
        reader.start();
        return reader;
    }

    /**
     * Joins the groups, dumps the addresses and hands them to {@code sink}, without reading events yet: events
     * queue in the socket until {@link Reader#start}. Tests use the gap to overflow a small buffer.
     */
    Reader open(Sink sink, int receiveBuffer) {
        return new Reader(Objects.requireNonNull(sink, "sink"), receiveBuffer);
    }

    @Override
    public String toString() {
        return "rtnetlink address events in " + netns.describe();
    }

    /**
     * What an RTM_NEWADDR or RTM_DELADDR message says about one address.
     *
     * @param added     RTM_NEWADDR (a new address, or an update of a known one)
     * @param index     interface index
     * @param address   IFA_LOCAL (the interface's own address), else IFA_ADDRESS (IPv6 sends only that)
     * @param label     IFA_LABEL (IPv4 only), null when absent
     * @param secondary IPv4 IFA_F_SECONDARY (for IPv6 the same bit means a temporary address)
     */
    record AddressUpdate(boolean added, int index, InterfaceAddress address, String label, boolean secondary) {

        /** Parses an address message; null for any other message type. */
        static AddressUpdate parse(NetlinkMessage message) {
            AddressMessage parsed = AddressMessage.parseEvent(message);
            if (parsed == null) {
                return null;
            }
            return new AddressUpdate(message.type() == RTM_NEWADDR, parsed.index(), parsed.address(), parsed.label(),
                    parsed.address().isIpv4() && (parsed.flags() & IFA_F_SECONDARY) != 0);
        }

        Key key() {
            return new Key(index, address);
        }
    }

    /** The kernel keys an address by interface, address and prefix. */
    record Key(int index, InterfaceAddress address) {
    }

    /** One watch: the event socket, a socket for dumps, and the reader thread. */
    final class Reader implements Watch {
        private final Sink sink;
        private final NetlinkSocket events;
        private final NetlinkSocket requests;
        private final EventFd wakeup;
        private final Thread thread;
        private final Map<Integer, String> names = new HashMap<>();
        /** Indices whose name was looked up for the batch being read: a link may have been renamed since. */
        private final Set<Integer> fresh = new HashSet<>();
        private Map<Key, ConfiguredAddress> known;
        private volatile boolean running = true;
        private boolean started;

        private Reader(Sink sink, int receiveBuffer) {
            this.sink = sink;
            NetlinkSocket eventSocket = null;
            NetlinkSocket requestSocket = null;
            EventFd eventFd = null;
            try {
                eventSocket = NetlinkSocket.openIn(netns, NETLINK_ROUTE);
                eventSocket.setReceiveBufferSize(receiveBuffer);
                // Join before the dump: an address changing in between shows up in both and is reconciled.
                eventSocket.joinGroup(RTNLGRP_IPV4_IFADDR);
                eventSocket.joinGroup(RTNLGRP_IPV6_IFADDR);
                requestSocket = NetlinkSocket.openIn(netns, NETLINK_ROUTE);
                eventFd = new EventFd();
            } catch (RuntimeException e) {
                closeQuietly(eventSocket, requestSocket, eventFd);
                throw e;
            }
            this.events = eventSocket;
            this.requests = requestSocket;
            this.wakeup = eventFd;
            this.thread = new Thread(this::run, "renumber-monitor-events-" + (netns.name() == null ? "self" : netns.name()));
            thread.setDaemon(true);
            try {
                known = dump();
                sink.snapshot(List.copyOf(known.values()));
            } catch (RuntimeException e) {
                closeQuietly(events, requests, wakeup);
                throw e;
            }
        }

        synchronized void start() {
            if (!started && running) {
                started = true;
                thread.start();
            }
        }

        @Override
        public synchronized void close() {
            if (!running) {
                return;
            }
            running = false;
            if (started) {
                wakeup.signal(); // the thread closes the sockets once poll returns
                if (Thread.currentThread() != thread) {
                    try {
                        thread.join(5000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            } else {
                closeQuietly(events, requests, wakeup);
            }
        }

        private void run() {
            try {
                while (running) {
                    if (!events.awaitReadable(wakeup, -1)) {
                        continue;
                    }
                    List<AddressEvent> batch = new ArrayList<>();
                    Instant received = clock.instant();
                    fresh.clear();
                    while (true) {
                        try {
                            events.receiveEvents(message -> onMessage(message, received, batch));
                            break;
                        } catch (NetworkException e) {
                            if (e.errno() != Errno.ENOBUFS) {
                                throw e;
                            }
                            resynchronize(batch);
                        }
                    }
                    if (!batch.isEmpty() && running) {
                        sink.events(List.copyOf(batch));
                    }
                }
            } catch (RuntimeException e) {
                if (running) {
                    // The sink reports the failure (the monitor logs it once, with its reason, and reopens).
                    log.debug("address event reader in {} stopped", netns.describe(), e);
                    sink.failed(e);
                }
            } finally {
                closeQuietly(events, requests, wakeup);
            }
        }

        private void onMessage(NetlinkMessage message, Instant received, List<AddressEvent> batch) {
            AddressUpdate parsed = AddressUpdate.parse(message);
            if (parsed == null) {
                return;
            }
            Key key = parsed.key();
            if (parsed.added()) {
                ConfiguredAddress configured = configured(parsed);
                if (known.put(key, configured) == null) {
                    batch.add(AddressEvent.added(configured, received));
                }
            } else {
                ConfiguredAddress was = known.remove(key);
                if (was != null) {
                    batch.add(AddressEvent.removed(was, received));
                }
            }
        }

        /** Events were lost: what the kernel has now, compared with what this reader knew, becomes events. */
        private void resynchronize(List<AddressEvent> batch) {
            Map<Key, ConfiguredAddress> now = dump();
            List<AddressEvent> missed = AddressEvent.difference(known, now, clock.instant());
            log.info("address events lost in {} (ENOBUFS); a fresh dump shows {} change(s)", netns.describe(),
                    missed.size());
            batch.addAll(missed);
            known = now;
        }

        private Map<Key, ConfiguredAddress> dump() {
            NetlinkRequest request = new NetlinkRequest(RTM_GETADDR, (short) (NLM_F_REQUEST | NLM_F_DUMP));
            new StructIfAddrMsg(LibC.AF_UNSPEC, 0, 0, 0, 0).pack(request.buffer());
            List<AddressUpdate> messages = requests.transact("list addresses in " + netns.describe(), request,
                    AddressUpdate::parse);
            refreshAllNames();
            Map<Key, ConfiguredAddress> result = new LinkedHashMap<>();
            for (AddressUpdate m : messages) {
                result.put(m.key(), configured(m));
            }
            return result;
        }

        private ConfiguredAddress configured(AddressUpdate message) {
            String name = name(message.index());
            return new ConfiguredAddress(name, message.address(), message.label(), message.secondary());
        }

        /**
         * The interface's current name, looked up once per batch (RTM_GETLINK by index) because links can be
         * renamed; a link deleted meanwhile keeps the name it had here.
         */
        private String name(int index) {
            if (fresh.add(index)) {
                NetlinkRequest request = new NetlinkRequest(RTM_GETLINK, (short) (NLM_F_REQUEST | NLM_F_ACK));
                new StructIfInfoMsg(LibC.AF_UNSPEC, 0, index, 0, 0).pack(request.buffer());
                StructNlAttr.putU32(request.buffer(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
                try {
                    requests.transact("look up interface " + index + " in " + netns.describe(), request,
                            LinkMessage::parse).forEach(link -> names.put(link.index(), link.name()));
                } catch (NetworkException e) {
                    if (e.errno() != Errno.ENODEV) {
                        throw e;
                    }
                }
            }
            return names.computeIfAbsent(index, i -> "if" + i);
        }

        /** Every link's name with one dump, before a dump of the addresses of many links. */
        private void refreshAllNames() {
            NetlinkRequest request = new NetlinkRequest(RTM_GETLINK, (short) (NLM_F_REQUEST | NLM_F_DUMP));
            new StructIfInfoMsg(LibC.AF_UNSPEC, 0, 0, 0, 0).pack(request.buffer());
            StructNlAttr.putU32(request.buffer(), IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
            for (LinkMessage link : requests.transact("list interfaces in " + netns.describe(), request,
                    LinkMessage::parse)) {
                names.put(link.index(), link.name());
                fresh.add(link.index());
            }
        }
    }

    private static void closeQuietly(AutoCloseable... resources) {
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                log.debug("closing {} failed: {}", resource, e.toString());
            }
        }
    }
}
