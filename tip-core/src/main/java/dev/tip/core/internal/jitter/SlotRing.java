package dev.tip.core.internal.jitter;

import java.nio.ByteBuffer;

/**
 * The frame store: a ring of preallocated frames indexed by extended (unwrapped) sequence number,
 * each slot with its sequence number, timestamp, arrival time, marker and state, and the window
 * the ring holds: the next sequence number to play (with its expected timestamp) and the highest
 * received. A slot belongs to the sequence number stored in it; a slot holding another number is
 * empty for every other. Allocates nothing after construction. Not thread-safe: confined to the
 * engine.
 */
final class SlotRing {

    /** Slot state: claimed by an arriving frame whose payload is not copied yet. */
    static final byte EMPTY = 0;
    /** Slot state: holds a received frame waiting to play. */
    static final byte PRESENT = 1;
    /** Slot state: its frame was played. */
    static final byte PLAYED = 2;
    /** Slot state: its sequence number was passed over (lost, dropped or superseded). */
    static final byte SKIPPED = 3;

    private final int capacity;
    private final int mask;
    private final int spf;
    private final int frameLength;
    private final short[][] frames;
    private final long[] slotSeq;
    private final long[] slotTs;
    private final long[] slotArrival;
    private final boolean[] slotMarker;
    private final byte[] slotState;

    private long nextSeq;
    private long nextTs;
    private long highestSeq;
    private long highestTs;

    /**
     * Creates a ring of empty slots.
     *
     * @param capacity the slot count, a power of two
     * @param samplesPerFrame timestamp units (samples per channel) per frame
     * @param frameLength samples per frame, interleaved
     */
    SlotRing(int capacity, int samplesPerFrame, int frameLength) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.spf = samplesPerFrame;
        this.frameLength = frameLength;
        this.frames = new short[capacity][frameLength];
        this.slotSeq = new long[capacity];
        java.util.Arrays.fill(slotSeq, Long.MIN_VALUE);
        this.slotTs = new long[capacity];
        this.slotArrival = new long[capacity];
        this.slotMarker = new boolean[capacity];
        this.slotState = new byte[capacity];
    }

    /**
     * Returns the slot count for a maximum delay: twice the frames of the delay plus some slack,
     * rounded up to a power of two, at most 2^14.
     *
     * @param maxDelayNanos the largest buffering delay
     * @param frameNanos the duration of a frame
     * @return the capacity
     */
    static int capacityFor(long maxDelayNanos, long frameNanos) {
        int slots = (int) Math.min(1 << 14, 2 * (maxDelayNanos / Math.max(1, frameNanos)) + 16);
        return Integer.highestOneBit(slots - 1) << 1;
    }

    /**
     * Returns the slot count.
     *
     * @return the capacity
     */
    int capacity() {
        return capacity;
    }

    /**
     * Returns the slot of a sequence number.
     *
     * @param seq an extended sequence number
     * @return its slot index
     */
    int slotOf(long seq) {
        return (int) (seq & mask);
    }

    /**
     * Tells whether a sequence number's own slot is in a state.
     *
     * @param seq an extended sequence number
     * @param state one of the slot states
     * @return true if the slot holds {@code seq} in {@code state}
     */
    boolean holds(long seq, byte state) {
        int slot = (int) (seq & mask);
        return slotSeq[slot] == seq && slotState[slot] == state;
    }

    /** Returns the extended timestamp of a slot's frame. */
    long tsAt(int slot) {
        return slotTs[slot];
    }

    /** Returns the arrival time of a slot's frame. */
    long arrivalAt(int slot) {
        return slotArrival[slot];
    }

    /** Returns the marker bit of a slot's frame. */
    boolean markerAt(int slot) {
        return slotMarker[slot];
    }

    /** Returns a slot's samples (the ring's own array, not a copy). */
    short[] frameAt(int slot) {
        return frames[slot];
    }

    /** Sets a slot's state. */
    void setState(int slot, byte state) {
        slotState[slot] = state;
    }

    /**
     * Gives a slot to an arriving frame, {@link #EMPTY} until its payload is copied.
     *
     * @param slot the slot of {@code seq}
     * @param seq the extended sequence number
     * @param ts the extended timestamp
     * @param arrival the arrival time
     * @param marker the marker bit
     */
    void claim(int slot, long seq, long ts, long arrival, boolean marker) {
        slotSeq[slot] = seq;
        slotTs[slot] = ts;
        slotArrival[slot] = arrival;
        slotMarker[slot] = marker;
        slotState[slot] = EMPTY;
    }

    /**
     * Copies 16-bit samples into a claimed slot (padding a short frame with silence) and makes it
     * {@link #PRESENT}.
     *
     * @param slot the claimed slot
     * @param pcm samples
     * @param offset first sample
     * @param length number of samples
     */
    void fill(int slot, short[] pcm, int offset, int length) {
        short[] f = frames[slot];
        int n = Math.min(length, frameLength);
        System.arraycopy(pcm, offset, f, 0, n);
        present(slot, n);
    }

    /**
     * Copies signed 16-bit little-endian samples into a claimed slot and makes it {@link #PRESENT}.
     *
     * @param slot the claimed slot
     * @param bytes the payload; absolute indexes, position and order ignored
     * @param offset first byte
     * @param length number of bytes
     */
    void fill(int slot, ByteBuffer bytes, int offset, int length) {
        short[] f = frames[slot];
        int n = Math.min(length / 2, frameLength);
        for (int i = 0; i < n; i++) {
            int p = offset + 2 * i;
            f[i] = (short) ((bytes.get(p) & 0xFF) | (bytes.get(p + 1) << 8));
        }
        present(slot, n);
    }

    /**
     * Copies signed 16-bit little-endian samples from an array into a claimed slot and makes it
     * {@link #PRESENT}.
     *
     * @param slot the claimed slot
     * @param bytes the payload
     * @param offset first byte
     * @param length number of bytes
     */
    void fill(int slot, byte[] bytes, int offset, int length) {
        short[] f = frames[slot];
        int n = Math.min(length / 2, frameLength);
        for (int i = 0; i < n; i++) {
            int p = offset + 2 * i;
            f[i] = (short) ((bytes[p] & 0xFF) | (bytes[p + 1] << 8));
        }
        present(slot, n);
    }

    private void present(int slot, int copied) {
        if (copied < frameLength) {
            java.util.Arrays.fill(frames[slot], copied, frameLength, (short) 0);
        }
        slotState[slot] = PRESENT;
    }

    /**
     * Marks a sequence number passed over, taking its slot if another number holds it.
     *
     * @param seq the extended sequence number
     */
    void skip(long seq) {
        int slot = (int) (seq & mask);
        slotSeq[slot] = seq;
        slotState[slot] = SKIPPED;
    }

    /**
     * Returns the first sequence number from {@code from} up to the highest received whose frame
     * is present.
     *
     * @param from the first sequence number looked at
     * @return that sequence number, or {@link Long#MIN_VALUE} if none
     */
    long firstPresentFrom(long from) {
        for (long s = from; s <= highestSeq; s++) {
            int sl = (int) (s & mask);
            if (slotSeq[sl] == s && slotState[sl] == PRESENT) {
                return s;
            }
        }
        return Long.MIN_VALUE;
    }

    /**
     * Moves the next sequence number on so that {@code seq} fits in the ring, dropping the present
     * frames passed over. Does nothing if it fits already.
     *
     * @param seq the extended sequence number that must fit
     * @return the present frames dropped
     */
    int makeRoomFor(long seq) {
        if (seq < nextSeq + capacity) {
            return 0;
        }
        int dropped = 0;
        long drop = seq - capacity + 1 - nextSeq;
        for (long s = 0; s < drop; s++) {
            int sl = (int) ((nextSeq + s) & mask);
            if (slotSeq[sl] == nextSeq + s && slotState[sl] == PRESENT) {
                slotState[sl] = SKIPPED;
                dropped++;
            }
        }
        nextSeq += drop;
        nextTs += drop * spf;
        return dropped;
    }

    /** Forgets every slot (a sender restart): present frames become skipped, no slot is owned. */
    void clear() {
        for (int i = 0; i < capacity; i++) {
            if (slotState[i] == PRESENT) {
                slotState[i] = SKIPPED;
            }
            slotSeq[i] = Long.MIN_VALUE;
        }
    }

    /**
     * Starts a new window at one frame: it is both the highest received and the next to play.
     *
     * @param seq the extended sequence number
     * @param ts the extended timestamp
     */
    void resetWindow(long seq, long ts) {
        highestSeq = seq;
        highestTs = ts;
        nextSeq = seq;
        nextTs = ts;
    }

    /** Returns the next sequence number to play. */
    long nextSeq() {
        return nextSeq;
    }

    /** Returns the timestamp the next sequence number is expected to carry. */
    long nextTs() {
        return nextTs;
    }

    /** Returns the highest sequence number received. */
    long highestSeq() {
        return highestSeq;
    }

    /** Returns the timestamp of the highest sequence number received. */
    long highestTs() {
        return highestTs;
    }

    /**
     * Sets the next sequence number to play and its expected timestamp.
     *
     * @param seq the extended sequence number
     * @param ts the extended timestamp
     */
    void setNext(long seq, long ts) {
        nextSeq = seq;
        nextTs = ts;
    }

    /**
     * Sets the next sequence number to play, keeping the expected timestamp.
     *
     * @param seq the extended sequence number
     */
    void setNextSeq(long seq) {
        nextSeq = seq;
    }

    /**
     * Sets the expected timestamp of the next sequence number.
     *
     * @param ts the extended timestamp
     */
    void setNextTs(long ts) {
        nextTs = ts;
    }

    /** Moves the next sequence number on by one frame. */
    void advance() {
        nextSeq++;
        nextTs += spf;
    }

    /**
     * Raises the highest received sequence number.
     *
     * @param seq the extended sequence number, above the highest
     * @param ts its extended timestamp
     */
    void setHighest(long seq, long ts) {
        highestSeq = seq;
        highestTs = ts;
    }
}
