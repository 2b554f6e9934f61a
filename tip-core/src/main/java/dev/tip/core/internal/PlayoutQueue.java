package dev.tip.core.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The original dialect's playout queue: a ring of preallocated frames that holds at most
 * {@code capacity} frames. When a frame arrives at a full queue, the oldest is dropped, so the
 * delay between arrival and playout never exceeds {@code capacity} frames (the original client
 * queues without bound and its delay piles up). Allocates nothing after construction.
 *
 * <p>Thread-safe: one receive thread offers, one playout thread polls; a short lock guards the
 * ring (a 1 KiB copy, about 50 times a second, never contended for long).
 */
public final class PlayoutQueue {
    private final short[][] slots;
    private final int frameLength;
    private int head;
    private int size;
    private long dropped;

    /**
     * Creates a queue.
     *
     * @param capacity most frames held, at least 1
     * @param frameLength samples per frame
     */
    public PlayoutQueue(int capacity, int frameLength) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        if (frameLength < 1) {
            throw new IllegalArgumentException("frameLength must be at least 1, was " + frameLength);
        }
        this.slots = new short[capacity][frameLength];
        this.frameLength = frameLength;
    }

    /**
     * Adds a frame of signed 16-bit little-endian PCM. A shorter frame is padded with silence; bytes
     * beyond one frame are ignored (the original reads 1024 bytes at most). If the queue is full the
     * oldest frame is dropped.
     *
     * @param pcm the bytes, from index 0 (absolute reads: position and limit are not used)
     * @param length how many bytes are valid
     * @return true if room was made by dropping the oldest frame
     */
    public synchronized boolean offer(ByteBuffer pcm, int length) {
        boolean overflow = false;
        if (size == slots.length) {
            head = next(head);
            size--;
            dropped++;
            overflow = true;
        }
        short[] slot = slots[(head + size) % slots.length];
        int samples = Math.min(length / 2, frameLength);
        for (int i = 0; i < samples; i++) {
            int b = i * 2;
            slot[i] = (short) ((pcm.get(b) & 0xff) | (pcm.get(b + 1) << 8));
        }
        if (samples < frameLength) {
            Arrays.fill(slot, samples, frameLength, (short) 0);
        }
        size++;
        return overflow;
    }

    /**
     * Takes the oldest frame.
     *
     * @param frame where to copy it, at least {@code frameLength} long
     * @return true if a frame was copied; false if the queue is empty (nothing written)
     */
    public synchronized boolean poll(short[] frame) {
        if (size == 0) {
            return false;
        }
        System.arraycopy(slots[head], 0, frame, 0, frameLength);
        head = next(head);
        size--;
        return true;
    }

    /**
     * Returns the number of frames waiting.
     *
     * @return frames queued
     */
    public synchronized int size() {
        return size;
    }

    /**
     * Returns how many frames were dropped to cap the delay.
     *
     * @return dropped frames
     */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * Returns the most frames held.
     *
     * @return the capacity
     */
    public int capacity() {
        return slots.length;
    }

    private int next(int i) {
        return i + 1 == slots.length ? 0 : i + 1;
    }
}
