package dev.tip.server.internal;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashSet;

/**
 * The connections that have not joined yet, oldest first, with their count per IP address: which
 * one must make way for a newcomer when its address, or the server, has as many as allowed.
 * Pure rules over {@link Connection}s; confined to the control thread.
 */
final class PendingConnections {
    private final int maxPerAddress;
    private final int maxInAll;
    private final LinkedHashSet<Connection> pending = new LinkedHashSet<>();
    private final HashMap<InetAddress, Integer> byAddress = new HashMap<>();

    /**
     * Creates an empty set.
     *
     * @param maxPerAddress most unjoined connections from one IP address
     * @param maxInAll most unjoined connections in all
     */
    PendingConnections(int maxPerAddress, int maxInAll) {
        this.maxPerAddress = maxPerAddress;
        this.maxInAll = maxInAll;
    }

    /** A new connection starts its handshake. */
    void add(Connection c) {
        if (pending.add(c)) {
            byAddress.merge(c.remote.getAddress(), 1, Integer::sum);
        }
    }

    /** {@code c} no longer counts: it joined, or it is closing. */
    void remove(Connection c) {
        if (pending.remove(c)) {
            byAddress.computeIfPresent(c.remote.getAddress(), (k, v) -> v == 1 ? null : v - 1);
        }
    }

    /** Unjoined connections now. */
    int size() {
        return pending.size();
    }

    /**
     * Which connection must make way for a newcomer from {@code address}: the oldest of that
     * address if it has its most, else the oldest of all if the server has its most, else none.
     * Call again after removing it: both limits may apply.
     *
     * @param address the newcomer's IP address
     * @return the connection to close, or null
     */
    Connection toEvictFor(InetAddress address) {
        if (byAddress.getOrDefault(address, 0) >= maxPerAddress) {
            for (Connection c : pending) {
                if (c.remote.getAddress().equals(address)) {
                    return c;
                }
            }
        }
        if (pending.size() >= maxInAll) {
            return pending.iterator().next();
        }
        return null;
    }
}
