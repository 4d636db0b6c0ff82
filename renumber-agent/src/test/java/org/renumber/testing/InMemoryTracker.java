package org.renumber.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import org.renumber.domain.SocketEntry;
import org.renumber.domain.TcpState;
import org.renumber.domain.port.ConnectionTracker;

/** A socket table stand-in: tests open and close "connections" on addresses and watchers are told. */
public final class InMemoryTracker implements ConnectionTracker {

    private final Map<InetAddress, Integer> connections = new HashMap<>();
    /** Addresses whose connections a test gave by inode (so they can be attributed to processes). */
    private final Map<InetAddress, List<Long>> byInode = new HashMap<>();
    private final List<Map.Entry<InetAddress, IntConsumer>> watchers = new CopyOnWriteArrayList<>();

    public void setConnections(InetAddress address, int count) {
        synchronized (this) {
            connections.put(address, count);
        }
        for (Map.Entry<InetAddress, IntConsumer> w : watchers) {
            if (w.getKey().equals(address)) {
                w.getValue().accept(count);
            }
        }
    }

    /** The live connections on {@code address} are exactly these socket inodes; watchers are told the count. */
    public void setSockets(InetAddress address, long... inodes) {
        synchronized (this) {
            List<Long> list = new ArrayList<>();
            for (long inode : inodes) {
                list.add(inode);
            }
            byInode.put(address, list);
        }
        for (Map.Entry<InetAddress, IntConsumer> w : watchers) {
            if (w.getKey().equals(address)) {
                w.getValue().accept(inodes.length);
            }
        }
    }

    @Override
    public synchronized List<SocketEntry> sockets(InetAddress address) {
        List<SocketEntry> list = new ArrayList<>();
        List<Long> inodes = byInode.get(address);
        if (inodes != null) {
            for (int i = 0; i < inodes.size(); i++) {
                list.add(new SocketEntry(SocketEntry.Protocol.TCP, new InetSocketAddress(address, 5000),
                        new InetSocketAddress(address, 40000 + i), TcpState.ESTABLISHED, inodes.get(i)));
            }
            return list;
        }
        int count = connections.getOrDefault(address, 0);
        for (int i = 0; i < count; i++) {
            list.add(new SocketEntry(SocketEntry.Protocol.TCP, new InetSocketAddress(address, 5000),
                    new InetSocketAddress(address, 40000 + i), TcpState.ESTABLISHED, 1000 + i));
        }
        return list;
    }

    @Override
    public Watch watch(InetAddress address, IntConsumer onCount) {
        Map.Entry<InetAddress, IntConsumer> entry = Map.entry(address, onCount);
        watchers.add(entry);
        onCount.accept(countConnections(address));
        return () -> watchers.remove(entry);
    }

    public int watcherCount() {
        return watchers.size();
    }
}
