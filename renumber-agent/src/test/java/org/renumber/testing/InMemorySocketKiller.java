package org.renumber.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.domain.port.SocketInventory;
import org.renumber.domain.port.SocketKiller;

/**
 * Socket destruction over an {@link InMemoryTracker}: destroying the connections of an address sets its count
 * to 0, so watchers see the drop as they would from the kernel's destroy events. UDP sockets and listeners are
 * numbers per address that the test sets.
 */
public final class InMemorySocketKiller implements SocketKiller, SocketInventory {

    private final InMemoryTracker tracker;
    private final Map<InetAddress, Integer> udp = new HashMap<>();
    private final Map<InetAddress, Integer> listeners = new HashMap<>();
    private final List<InetAddress> destroyCalls = new ArrayList<>();

    public InMemorySocketKiller(InMemoryTracker tracker) {
        this.tracker = tracker;
    }

    public synchronized void setUdpSockets(InetAddress address, int count) {
        udp.put(address, count);
    }

    public synchronized void setListeners(InetAddress address, int count) {
        listeners.put(address, count);
    }

    /** The addresses {@link #destroy} was called for, in order. */
    public synchronized List<InetAddress> destroyCalls() {
        return List.copyOf(destroyCalls);
    }

    @Override
    public ClosedSockets destroy(InetAddress address, Set<SocketKind> kinds) {
        int connections = 0;
        int closedListeners = 0;
        int closedUdp = 0;
        synchronized (this) {
            destroyCalls.add(address);
            if (kinds.contains(SocketKind.TCP_LISTENERS)) {
                closedListeners = listeners.getOrDefault(address, 0);
                listeners.remove(address);
            }
            if (kinds.contains(SocketKind.UDP)) {
                closedUdp = udp.getOrDefault(address, 0);
                udp.remove(address);
            }
        }
        if (kinds.contains(SocketKind.TCP_CONNECTIONS)) {
            connections = tracker.countConnections(address);
            tracker.setConnections(address, 0); // outside the lock: it calls watchers
        }
        return new ClosedSockets(connections, 0, closedListeners, closedUdp);
    }

    @Override
    public synchronized List<SocketEntry> udpSockets(InetAddress address) {
        List<SocketEntry> sockets = new ArrayList<>();
        for (int i = 0; i < udp.getOrDefault(address, 0); i++) {
            sockets.add(new SocketEntry(SocketEntry.Protocol.UDP, new InetSocketAddress(address, 7000 + i),
                    new InetSocketAddress(0), TcpState.CLOSE, 2000 + i));
        }
        return sockets;
    }

    @Override
    public synchronized List<SocketEntry> tcpListeners(InetAddress address) {
        List<SocketEntry> sockets = new ArrayList<>();
        for (int i = 0; i < listeners.getOrDefault(address, 0); i++) {
            sockets.add(new SocketEntry(SocketEntry.Protocol.TCP, new InetSocketAddress(address, 5000 + i),
                    new InetSocketAddress(0), TcpState.LISTEN, 3000 + i));
        }
        return sockets;
    }
}
