package dev.tip.audio.internal;

/**
 * A ring buffer of 16-bit samples that re-frames a stream: producers add chunks of any size,
 * consumers take chunks of another size. Confined to one thread.
 */
public final class SampleFifo {
    private short[] buffer;
    private int head; // next read index
    private int size;

    /**
     * Creates a FIFO.
     *
     * @param capacity initial capacity in samples; it grows if ever exceeded
     */
    public SampleFifo(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        buffer = new short[capacity];
    }

    /**
     * Returns the samples held.
     *
     * @return samples available to {@link #take}
     */
    public int size() {
        return size;
    }

    /**
     * Appends samples, growing the buffer if they do not fit (only until the stream's largest chunk
     * has been seen once).
     *
     * @param samples source array
     * @param offset first sample
     * @param length samples to append
     */
    public void add(short[] samples, int offset, int length) {
        if (size + length > buffer.length) {
            grow(size + length);
        }
        int tail = (head + size) % buffer.length;
        int first = Math.min(length, buffer.length - tail);
        System.arraycopy(samples, offset, buffer, tail, first);
        System.arraycopy(samples, offset + first, buffer, 0, length - first);
        size += length;
    }

    /**
     * Removes the oldest {@code length} samples into {@code out}.
     *
     * @param out destination
     * @param offset where to write in {@code out}
     * @param length samples to take, at most {@link #size()}
     */
    public void take(short[] out, int offset, int length) {
        if (length > size) {
            throw new IllegalArgumentException("length " + length + " exceeds size " + size);
        }
        int first = Math.min(length, buffer.length - head);
        System.arraycopy(buffer, head, out, offset, first);
        System.arraycopy(buffer, 0, out, offset + first, length - first);
        head = (head + length) % buffer.length;
        size -= length;
    }

    /** Discards everything held. */
    public void clear() {
        head = 0;
        size = 0;
    }

    private void grow(int needed) {
        short[] bigger = new short[Math.max(needed, buffer.length * 2)];
        int first = Math.min(size, buffer.length - head);
        System.arraycopy(buffer, head, bigger, 0, first);
        System.arraycopy(buffer, 0, bigger, first, size - first);
        buffer = bigger;
        head = 0;
    }
}
