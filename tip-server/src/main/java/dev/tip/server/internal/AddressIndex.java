package dev.tip.server.internal;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Members by UDP address and port, looked up from the raw bytes of a socket address without
 * allocating: an open-addressing table (linear probing, deletion by backward shift) keyed by the
 * 128-bit IPv6 address (an IPv4 address as its IPv4-mapped form {@code ::ffff:a.b.c.d}, which is
 * also how a dual-stack socket reports IPv4 peers) and the port. At most half full. Confined to
 * one thread.
 */
final class AddressIndex {

    /** High half of the key of an IPv4 address (the IPv4-mapped prefix lies in the low half). */
    static final long V4_HI = 0L;
    /** The low half of an IPv4-mapped address, less the IPv4 address itself. */
    static final long V4_LO_PREFIX = 0x0000_FFFF_0000_0000L;

    private final long[] his;
    private final long[] los;
    private final int[] ports;
    private final Member[] members;
    private final int mask;
    private int size;

    /**
     * Creates an index for up to {@code maxEntries} addresses.
     *
     * @param maxEntries most addresses held at once
     */
    AddressIndex(int maxEntries) {
        int cap = Integer.highestOneBit(Math.max(4, maxEntries) * 2 - 1) << 1;
        his = new long[cap];
        los = new long[cap];
        ports = new int[cap];
        members = new Member[cap];
        mask = cap - 1;
    }

    /** Addresses held. */
    int size() {
        return size;
    }

    /** The high 64 bits of {@code a}'s key. */
    static long hi(InetAddress a) {
        return a instanceof Inet4Address ? V4_HI : half(a.getAddress(), 0);
    }

    /** The low 64 bits of {@code a}'s key. */
    static long lo(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return V4_LO_PREFIX | (half(b, 0) >>> 32);
        }
        return half(b, 8);
    }

    private static long half(byte[] b, int from) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (from + i < b.length ? b[from + i] & 0xFF : 0);
        }
        return v;
    }

    private int slot(long hi, long lo, int port) {
        long h = hi * 0x9E37_79B9_7F4A_7C15L ^ lo ^ ((long) port << 17);
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    /**
     * The member at this address, or null. Allocates nothing.
     *
     * @param hi the address's high 64 bits (big-endian)
     * @param lo its low 64 bits
     * @param port the port
     * @return the member or null
     */
    Member get(long hi, long lo, int port) {
        for (int i = slot(hi, lo, port); ; i = (i + 1) & mask) {
            Member m = members[i];
            if (m == null) {
                return null;
            }
            if (his[i] == hi && los[i] == lo && ports[i] == port) {
                return m;
            }
        }
    }

    /**
     * Maps the address to {@code m}, replacing whoever had it.
     *
     * @throws IllegalStateException if the index is full
     */
    void put(long hi, long lo, int port, Member m) {
        int i = slot(hi, lo, port);
        for (; members[i] != null; i = (i + 1) & mask) {
            if (his[i] == hi && los[i] == lo && ports[i] == port) {
                members[i] = m;
                return;
            }
        }
        if (2 * (size + 1) > members.length) {
            throw new IllegalStateException("address index full: " + size);
        }
        his[i] = hi;
        los[i] = lo;
        ports[i] = port;
        members[i] = m;
        size++;
    }

    /** Removes the address if it maps to {@code m}. */
    void remove(long hi, long lo, int port, Member m) {
        int i = slot(hi, lo, port);
        for (; ; i = (i + 1) & mask) {
            if (members[i] == null) {
                return;
            }
            if (his[i] == hi && los[i] == lo && ports[i] == port) {
                break;
            }
        }
        if (members[i] != m) {
            return;
        }
        // backward-shift deletion: later entries of the probe run move into the hole
        int hole = i;
        for (int j = (i + 1) & mask; members[j] != null; j = (j + 1) & mask) {
            int home = slot(his[j], los[j], ports[j]);
            // j's entry may fill the hole unless its home lies cyclically in (hole, j]
            boolean homeInRange = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!homeInRange) {
                his[hole] = his[j];
                los[hole] = los[j];
                ports[hole] = ports[j];
                members[hole] = members[j];
                hole = j;
            }
        }
        members[hole] = null;
        size--;
    }
}
