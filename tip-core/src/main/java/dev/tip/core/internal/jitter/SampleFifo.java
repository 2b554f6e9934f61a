package dev.tip.core.internal.jitter;

import dev.tip.core.voice.AudioFormat;

/**
 * The interleaved samples between the frame ring and the playout calls, so that the delay can be
 * changed by a fraction of a frame: frames, concealment and silence are appended at the back,
 * playout calls take from the front, and the delay controller cuts or repeats samples at the front
 * with a short cross-fade ({@link #shrink}, {@link #grow}). Owns the loss concealment, which
 * learns from every received frame appended and blends the first frame after a loss. Allocates
 * nothing after construction. Not thread-safe: confined to the engine.
 */
final class SampleFifo {

    /** Mean absolute sample value below which the front frame counts as quiet. */
    private static final int QUIET_LEVEL = 64;

    private final int channels;
    private final int spf;
    private final int frameLength;
    private final int splice;
    private final short[] fifo;
    private final PcmConcealment concealment;
    private int length;
    private boolean endsInSilence = true;

    /**
     * Creates an empty FIFO with room for six frames and the cross-fades around them.
     *
     * @param format the PCM format
     */
    SampleFifo(AudioFormat format) {
        this.channels = format.channels();
        this.spf = format.samplesPerFrame();
        this.frameLength = format.frameLength();
        this.splice = Math.max(8, format.sampleRate() / 200);
        this.fifo = new short[(6 * spf + 4 * splice) * channels];
        this.concealment = new PcmConcealment(format);
    }

    /**
     * Returns the samples held (interleaved, all channels).
     *
     * @return the sample count
     */
    int length() {
        return length;
    }

    /**
     * Returns the most samples the FIFO can hold (interleaved, all channels).
     *
     * @return the capacity
     */
    int capacity() {
        return fifo.length;
    }

    /**
     * Returns the length of a cross-fade, in samples per channel.
     *
     * @return at least 8, 5 ms at the format's rate
     */
    int splice() {
        return splice;
    }

    /**
     * Tells whether the last thing appended was silence (or a fade-out): nothing is playing.
     *
     * @return true after silence
     */
    boolean endsInSilence() {
        return endsInSilence;
    }

    /**
     * Tells whether concealment has faded out completely and would only produce silence.
     *
     * @return true once the concealment is exhausted
     */
    boolean concealmentExhausted() {
        return concealment.isExhausted();
    }

    /**
     * Appends a received frame, blended with the concealment it follows (or faded in after
     * silence), and lets the concealment learn from it.
     *
     * @param frame a whole frame of interleaved samples
     */
    void appendFrame(short[] frame) {
        System.arraycopy(frame, 0, fifo, length, frameLength);
        concealment.blendInto(fifo, length, spf, endsInSilence);
        concealment.observe(fifo, length, spf);
        length += frameLength;
        endsInSilence = false;
    }

    /** Appends one frame of concealment. */
    void appendConcealment() {
        concealment.conceal(fifo, length, spf);
        length += frameLength;
    }

    /**
     * Appends silence.
     *
     * @param samples interleaved samples of silence
     */
    void appendSilence(int samples) {
        java.util.Arrays.fill(fifo, length, length + samples, (short) 0);
        length += samples;
        endsInSilence = true;
    }

    /** Fades the last cross-fade's length of samples out to silence and resets the concealment. */
    void fadeOutTail() {
        int n = Math.min(splice, length / channels);
        for (int i = 0; i < n; i++) {
            float w = (n - i - 1) / (float) n;
            int base = length - (n - i) * channels;
            for (int c = 0; c < channels; c++) {
                fifo[base + c] = (short) Math.round(fifo[base + c] * w);
            }
        }
        concealment.reset();
        endsInSilence = true;
    }

    /**
     * Tells whether the first frame's worth of samples is quiet (or the FIFO is empty), where a
     * larger edit goes unheard.
     *
     * @return true if quiet
     */
    boolean isQuiet() {
        long sum = 0;
        int n = Math.min(length, frameLength);
        for (int i = 0; i < n; i++) {
            sum += Math.abs(fifo[i]);
        }
        return n == 0 || sum / n < QUIET_LEVEL;
    }

    /**
     * Removes {@code s} sample frames from the front, cross-fading over {@link #splice()}. The
     * caller keeps at least {@code s + splice} sample frames in the FIFO.
     *
     * @param s sample frames (per channel) to remove
     */
    void shrink(int s) {
        int ch = channels;
        // backwards: sample k is read after sample s + k is written only when k is not yet written
        for (int k = splice - 1; k >= 0; k--) {
            float w = (k + 1) / (float) (splice + 1);
            for (int c = 0; c < ch; c++) {
                int a = k * ch + c;
                int b = (s + k) * ch + c;
                fifo[b] = (short) Math.round(fifo[a] * (1 - w) + fifo[b] * w);
            }
        }
        length -= s * ch;
        System.arraycopy(fifo, s * ch, fifo, 0, length);
    }

    /**
     * Repeats {@code s} sample frames at the front, cross-fading over {@link #splice()}. The caller
     * keeps at least {@code s + splice} sample frames in the FIFO and room for {@code s} more.
     *
     * @param s sample frames (per channel) to insert
     */
    void grow(int s) {
        int ch = channels;
        System.arraycopy(fifo, 0, fifo, s * ch, length);
        System.arraycopy(fifo, s * ch, fifo, 0, s * ch);
        for (int k = 0; k < splice; k++) {
            float w = (k + 1) / (float) (splice + 1);
            for (int c = 0; c < ch; c++) {
                int at = (s + k) * ch + c;
                int continuing = (2 * s + k) * ch + c;
                fifo[at] = (short) Math.round(fifo[continuing] * (1 - w) + fifo[at] * w);
            }
        }
        length += s * ch;
    }

    /**
     * Moves {@code n} samples from the front into {@code out}.
     *
     * @param out receives the samples
     * @param offset first index written
     * @param n samples to move, at most {@link #length()}
     */
    void take(short[] out, int offset, int n) {
        System.arraycopy(fifo, 0, out, offset, n);
        length -= n;
        System.arraycopy(fifo, n, fifo, 0, length);
    }
}
