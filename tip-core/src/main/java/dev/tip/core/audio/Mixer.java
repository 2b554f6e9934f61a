package dev.tip.core.audio;

import dev.tip.core.voice.AudioFormat;

/**
 * Sums the frames of several speakers into one frame, saturating at the limits of a 16-bit
 * sample instead of wrapping around. Allocates nothing after construction. Not thread-safe:
 * confined to the playout thread.
 *
 * <pre>{@code
 * Mixer mixer = new Mixer(AudioFormat.ORIGINAL);
 * mixer.clear();
 * for (JitterBuffer speaker : speakers) {
 *     speaker.playout(now, scratch);
 *     mixer.add(scratch);
 * }
 * mixer.mixTo(out);
 * }</pre>
 */
public final class Mixer {

    private final int frameLength;
    private final int[] sum;
    private int sources;

    /**
     * Creates a mixer for frames of a format.
     *
     * @param format the format of every frame added and of the mix
     */
    public Mixer(AudioFormat format) {
        this.frameLength = format.frameLength();
        this.sum = new int[frameLength];
    }

    /** Starts a new mix: forgets every frame added so far. */
    public void clear() {
        java.util.Arrays.fill(sum, 0);
        sources = 0;
    }

    /**
     * Adds one speaker's frame to the mix.
     *
     * @param frame at least {@code format.frameLength()} samples
     */
    public void add(short[] frame) {
        add(frame, 0, frameLength, 1.0f);
    }

    /**
     * Adds the first {@code length} samples of one speaker's part of a frame to the mix at a gain
     * (a per-speaker volume): every source of one mix gives the same part.
     *
     * @param samples the samples
     * @param offset index of the first sample in {@code samples}
     * @param length number of samples, at most {@code format.frameLength()}
     * @param gain linear gain, 0 mutes, 1 leaves the samples as they are
     * @throws IllegalArgumentException if the length is out of range
     */
    public void add(short[] samples, int offset, int length, float gain) {
        checkLength(length);
        int[] s = sum;
        if (gain == 1.0f) {
            for (int i = 0; i < length; i++) {
                s[i] += samples[offset + i];
            }
        } else {
            for (int i = 0; i < length; i++) {
                s[i] += Math.round(samples[offset + i] * gain);
            }
        }
        sources++;
    }

    /**
     * Returns how many frames were added since {@link #clear()}.
     *
     * @return the number of sources in the current mix
     */
    public int sources() {
        return sources;
    }

    /**
     * Writes the saturated sum of the frames added since {@link #clear()}; silence if none.
     * The accumulated sum is kept, so {@code mixTo} may be called again.
     *
     * @param out receives {@code format.frameLength()} samples
     */
    public void mixTo(short[] out) {
        mixTo(out, 0, frameLength);
    }

    /**
     * Writes the saturated sum of the first {@code length} samples added since {@link #clear()}.
     *
     * @param out receives the mix
     * @param offset index of the first sample written
     * @param length number of samples, at most {@code format.frameLength()}
     * @throws IllegalArgumentException if the length is out of range
     */
    public void mixTo(short[] out, int offset, int length) {
        checkLength(length);
        int[] s = sum;
        for (int i = 0; i < length; i++) {
            out[offset + i] = clamp(s[i]);
        }
    }

    private void checkLength(int length) {
        if (length < 0 || length > frameLength) {
            throw new IllegalArgumentException("length must be 0.." + frameLength + ", was " + length);
        }
    }

    private static short clamp(int v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }
}
