package dev.tip.server.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One frame of a room's mix: the sum of every contributing speaker's frame, computed once, and
 * from it what each listener hears, clipped to 16 bits. A listener who is not speaking gets the
 * whole sum ({@link #all}, computed once per frame however many such listeners there are); a
 * speaking listener gets the sum minus its own frame ({@link #without}). The sum is kept at full
 * precision (32 bits) and clipped only after the subtraction, so a listener never hears the
 * clipping its own voice caused, and the mix of a single speaker is that speaker's samples exactly.
 *
 * <p>Output is the original's raw PCM: 16-bit little-endian, positioned on the frame. Allocates
 * only in its constructor.
 *
 * <p>Threading: confined to one thread (the relay thread on the server).
 */
public final class MixBus {

    private final int[] sum;
    private final ByteBuffer all;
    private final ByteBuffer own;
    private int speakers;
    private boolean allReady;

    /**
     * Creates a mix bus.
     *
     * @param frameLength samples per frame
     */
    public MixBus(int frameLength) {
        if (frameLength <= 0) {
            throw new IllegalArgumentException("frameLength must be positive: " + frameLength);
        }
        sum = new int[frameLength];
        all = ByteBuffer.allocateDirect(2 * frameLength).order(ByteOrder.LITTLE_ENDIAN);
        own = ByteBuffer.allocateDirect(2 * frameLength).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Starts a new frame: no speaker yet. */
    public void clear() {
        speakers = 0;
        allReady = false;
    }

    /**
     * Adds one speaker's frame to the sum.
     *
     * @param frame its samples (at least the bus's frame length)
     */
    public void add(short[] frame) {
        int[] s = sum;
        if (speakers == 0) {
            for (int i = 0; i < s.length; i++) {
                s[i] = frame[i];
            }
        } else {
            for (int i = 0; i < s.length; i++) {
                s[i] += frame[i];
            }
        }
        speakers++;
        allReady = false;
    }

    /** Speakers added since {@link #clear}. */
    public int speakers() {
        return speakers;
    }

    /**
     * The whole sum, clipped, for a listener who is not speaking; computed on the first call per
     * frame. The returned buffer is the bus's own, positioned on the frame; do not keep it.
     *
     * @return the frame's PCM
     */
    public ByteBuffer all() {
        if (!allReady) {
            int[] s = sum;
            for (int i = 0; i < s.length; i++) {
                all.putShort(2 * i, clip(s[i]));
            }
            allReady = true;
        }
        return all.clear();
    }

    /**
     * The sum minus a speaking listener's own frame, clipped. The returned buffer is the bus's
     * own, positioned on the frame, and overwritten by the next call; do not keep it.
     *
     * @param ownFrame the frame this listener added
     * @return the frame's PCM
     */
    public ByteBuffer without(short[] ownFrame) {
        int[] s = sum;
        for (int i = 0; i < s.length; i++) {
            own.putShort(2 * i, clip(s[i] - ownFrame[i]));
        }
        return own.clear();
    }

    /**
     * Clips a sum to 16 bits.
     *
     * @param v the sum
     * @return the nearest 16-bit sample
     */
    static short clip(int v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }
}
