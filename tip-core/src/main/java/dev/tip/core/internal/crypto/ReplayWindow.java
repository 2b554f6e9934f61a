package dev.tip.core.internal.crypto;

/**
 * The packet numbers a receiver has already accepted from one sender under one key: the highest
 * one and a window of {@link #SIZE} below it (Mumble keeps 256 too), so that reordered datagrams
 * are still taken and a replayed one never is. Check first, open (authenticate), then accept: a
 * forged datagram never moves the window. Confined to the receiving thread; allocates nothing.
 */
public final class ReplayWindow {

    /** How far below the highest packet number a late datagram is still taken. */
    public static final int SIZE = 256;

    /** {@link #check} result: not seen before and within the window. */
    public static final int NEW = 0;
    /** {@link #check} result: accepted before. */
    public static final int REPLAYED = 1;
    /** {@link #check} result: older than the window (or negative): cannot be told from a replay. */
    public static final int TOO_OLD = 2;

    private final long[] bits = new long[SIZE / 64];
    private long highest = -1;

    /**
     * Tells whether a packet number may be taken, without recording it.
     *
     * @param packetNumber the datagram's packet number
     * @return {@link #NEW}, {@link #REPLAYED} or {@link #TOO_OLD}
     */
    public int check(long packetNumber) {
        if (packetNumber < 0) {
            return TOO_OLD;
        }
        if (packetNumber > highest) {
            return NEW;
        }
        long age = highest - packetNumber;
        if (age >= SIZE) {
            return TOO_OLD;
        }
        return isSet(packetNumber) ? REPLAYED : NEW;
    }

    /**
     * Records a packet number whose datagram authenticated; call only after {@link #check} said NEW.
     *
     * @param packetNumber the packet number
     */
    public void accept(long packetNumber) {
        if (packetNumber > highest) {
            long shift = highest < 0 ? SIZE : packetNumber - highest;
            if (shift >= SIZE) {
                java.util.Arrays.fill(bits, 0L);
            } else {
                for (long n = highest + 1; n < packetNumber; n++) {
                    clear(n);
                }
            }
            highest = packetNumber;
        }
        set(packetNumber);
    }

    /**
     * Returns the highest packet number accepted.
     *
     * @return it, or -1 before the first
     */
    public long highest() {
        return highest;
    }

    private boolean isSet(long n) {
        int slot = (int) (n & (SIZE - 1));
        return (bits[slot >>> 6] & (1L << (slot & 63))) != 0;
    }

    private void set(long n) {
        int slot = (int) (n & (SIZE - 1));
        bits[slot >>> 6] |= 1L << (slot & 63);
    }

    private void clear(long n) {
        int slot = (int) (n & (SIZE - 1));
        bits[slot >>> 6] &= ~(1L << (slot & 63));
    }
}
