package dev.tip.core.protocol;

import java.nio.ByteBuffer;

/**
 * Voice waiting to go out through a control connection's tunnel ({@link TunnelFramer}): a fixed
 * number of preallocated slots, each one framed datagram. A full queue drops its <em>oldest</em>
 * datagram for the new one and counts it (voice that waited that long is too late to play anyway),
 * so a slow TCP reader costs a bounded amount of memory and never delays newer voice behind older.
 * Control messages never wait here: the writer keeps them in their own queue, with their own bound,
 * and writes a frame only whole, between two messages.
 *
 * <p>Thread-safe: one producer (the thread that routes voice) and one consumer (the thread that
 * writes the connection), under this object's monitor, held only to copy one datagram in or out.
 * A slot's array is made the first time it is used (a connection that never tunnels costs a few
 * bytes); after that nothing is allocated.
 */
public final class TunnelQueue {

    /** {@link #offer}: queued behind others. */
    public static final int QUEUED = 0;
    /** {@link #offer}: queued into an empty queue. */
    public static final int QUEUED_FIRST = 1;
    /** {@link #offer}: queued into a full queue, whose oldest datagram was dropped for it. */
    public static final int QUEUED_DROPPING_OLDEST = 2;

    private final byte[][] slots;
    private final int[] lengths;
    private final int maxDatagram;
    // guarded by this
    private int head;
    private int size;
    private long offered;
    private long dropped;

    /**
     * Creates a queue.
     *
     * @param capacity datagrams it holds at most, at least 1
     * @param maxDatagram the longest datagram, 1..{@link TunnelFramer#MAX_DATAGRAM}
     */
    public TunnelQueue(int capacity, int maxDatagram) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        if (maxDatagram < 1 || maxDatagram > TunnelFramer.MAX_DATAGRAM) {
            throw new IllegalArgumentException(
                    "maxDatagram must be 1.." + TunnelFramer.MAX_DATAGRAM + ": " + maxDatagram);
        }
        this.maxDatagram = maxDatagram;
        this.slots = new byte[capacity][];
        this.lengths = new int[capacity];
    }

    /**
     * The buffer a consumer writes frames from: large enough for any one of this queue's frames.
     *
     * @return a new heap buffer, for the consumer to keep
     */
    public ByteBuffer newFrameBuffer() {
        return ByteBuffer.allocate(TunnelFramer.HEADER_BYTES + maxDatagram);
    }

    /**
     * Copies a datagram in, framed, dropping the oldest one if the queue is full. The datagram's
     * position and limit are left as they were.
     *
     * @param datagram the bytes from position to limit, 1..maxDatagram of them
     * @return {@link #QUEUED_FIRST} if the queue was empty before (the consumer may need waking),
     *     {@link #QUEUED}, {@link #QUEUED_DROPPING_OLDEST} if it was full, or -1 if the datagram is
     *     empty or too long for a frame (nothing queued)
     */
    public int offer(ByteBuffer datagram) {
        int n = datagram.remaining();
        if (n < 1 || n > maxDatagram) {
            return -1;
        }
        synchronized (this) {
            offered++;
            int result = size == 0 ? QUEUED_FIRST : QUEUED;
            if (size == slots.length) {
                result = QUEUED_DROPPING_OLDEST;
                // the oldest goes: late voice is worth less than new voice
                head = (head + 1) % slots.length;
                size--;
                dropped++;
            }
            int slot = (head + size) % slots.length;
            byte[] s = slots[slot];
            if (s == null) {
                s = slots[slot] = new byte[TunnelFramer.HEADER_BYTES + maxDatagram];
            }
            s[0] = TunnelFramer.MARKER;
            s[1] = (byte) (n >>> 8);
            s[2] = (byte) n;
            datagram.get(datagram.position(), s, TunnelFramer.HEADER_BYTES, n);
            lengths[slot] = TunnelFramer.HEADER_BYTES + n;
            size++;
            return result;
        }
    }

    /**
     * Moves the oldest frame (marker, length and datagram) into {@code into}, cleared and flipped
     * for writing.
     *
     * @param into a buffer from {@link #newFrameBuffer()}
     * @return false if the queue is empty ({@code into} untouched)
     */
    public boolean takeInto(ByteBuffer into) {
        synchronized (this) {
            if (size == 0) {
                return false;
            }
            into.clear();
            into.put(slots[head], 0, lengths[head]).flip();
            head = (head + 1) % slots.length;
            size--;
            return true;
        }
    }

    /** Drops everything queued (the connection's path went back to UDP, or it closed). */
    public synchronized void clear() {
        head = 0;
        size = 0;
    }

    /**
     * Tells whether a datagram waits.
     *
     * @return true if none does
     */
    public synchronized boolean isEmpty() {
        return size == 0;
    }

    /**
     * Datagrams queued now.
     *
     * @return the count
     */
    public synchronized int size() {
        return size;
    }

    /**
     * Datagrams dropped, oldest first, because the queue was full.
     *
     * @return the count since creation
     */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * Datagrams offered (queued, whether or not dropped later).
     *
     * @return the count since creation
     */
    public synchronized long offered() {
        return offered;
    }
}
