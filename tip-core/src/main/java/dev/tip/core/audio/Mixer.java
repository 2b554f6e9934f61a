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
        add(frame, 0, 1.0f);
    }

    /**
     * Adds one speaker's frame to the mix at a gain (a per-speaker volume).
     *
     * @param frame the samples
     * @param offset index of the frame's first sample in {@code frame}
     * @param gain linear gain, 0 mutes, 1 leaves the samples as they are
     */
    public void add(short[] frame, int offset, float gain) {
        int[] s = sum;
        if (gain == 1.0f) {
            for (int i = 0; i < frameLength; i++) {
                s[i] += frame[offset + i];
            }
        } else {
            for (int i = 0; i < frameLength; i++) {
                s[i] += Math.round(frame[offset + i] * gain);
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
        int[] s = sum;
        for (int i = 0; i < frameLength; i++) {
            out[i] = clamp(s[i]);
        }
    }

    private static short clamp(int v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }
}
