package dev.tip.core.internal.jitter;

import dev.tip.core.voice.AudioFormat;

/**
 * Fills the gap of a lost PCM frame with a waveform that continues the last one heard, and hides
 * the joins. A lost frame repeats the last pitch period (found by autocorrelation), starts without
 * a jump (a short ramp removes the offset to the predicted next sample), fades after
 * {@link #FADE_START_NANOS} and reaches silence at {@link #FADE_END_NANOS}; when real audio
 * resumes, the continuation is cross-faded into it. Allocates nothing after construction.
 * Not thread-safe: confined to one thread (the jitter buffer's caller).
 *
 * <pre>{@code
 * PcmConcealment plc = new PcmConcealment(format);
 * int n = format.samplesPerFrame();
 * // for every frame: either it arrived
 * plc.blendInto(frame, 0, n, false);
 * plc.observe(frame, 0, n);
 * // or it was lost
 * plc.conceal(frame, 0, n);
 * }</pre>
 */
public final class PcmConcealment {

    /** Time into a loss after which the concealed signal starts to fade: 10 ms. */
    public static final long FADE_START_NANOS = 10_000_000L;
    /** Time into a loss at which the concealed signal has faded to silence: 60 ms. */
    public static final long FADE_END_NANOS = 60_000_000L;
    /** Length of the ramps and cross-fades at the joins: 2 ms. */
    public static final long RAMP_NANOS = 2_000_000L;

    private final int channels;
    private final int minLag;
    private final int maxLag;
    private final int corrWindow;
    private final int historyFrames;
    private final short[] history;
    private final int ramp;
    private final int fadeStart;
    private final int fadeEnd;
    private int historyFill;

    private boolean active;
    private int lag;
    private int position;
    private final int[] startOffset;

    /**
     * Creates a concealer for a format.
     *
     * @param format the format of the frames observed and concealed
     */
    public PcmConcealment(AudioFormat format) {
        this.channels = format.channels();
        int rate = format.sampleRate();
        this.minLag = Math.max(2, rate / 400); // 400 Hz
        this.maxLag = Math.max(minLag + 1, rate / 66); // 66 Hz
        this.corrWindow = Math.max(8, rate / 200); // 5 ms compared
        this.historyFrames = Math.max(maxLag + corrWindow, format.samplesPerFrame()) + 2;
        this.history = new short[historyFrames * channels];
        this.ramp = (int) Math.max(4, rate * RAMP_NANOS / 1_000_000_000L);
        this.fadeStart = (int) (rate * FADE_START_NANOS / 1_000_000_000L);
        this.fadeEnd = (int) (rate * FADE_END_NANOS / 1_000_000_000L);
        this.startOffset = new int[channels];
    }

    /**
     * Records real audio that is about to play, so that a later loss can continue it.
     *
     * @param pcm interleaved samples
     * @param offset index of the first sample
     * @param sampleFrames samples per channel to record
     */
    public void observe(short[] pcm, int offset, int sampleFrames) {
        int n = sampleFrames * channels;
        int keep = history.length;
        if (n >= keep) {
            System.arraycopy(pcm, offset + n - keep, history, 0, keep);
            historyFill = historyFrames;
        } else {
            System.arraycopy(history, n, history, 0, keep - n);
            System.arraycopy(pcm, offset, history, keep - n, n);
            historyFill = Math.min(historyFrames, historyFill + sampleFrames);
        }
        active = false;
    }

    /**
     * Tells whether a loss is being concealed (since the last {@link #observe}).
     *
     * @return true between a {@link #conceal} and the next real audio
     */
    public boolean isActive() {
        return active;
    }

    /**
     * Tells whether the concealment has faded to silence.
     *
     * @return true if concealing and past {@link #FADE_END_NANOS}
     */
    public boolean isExhausted() {
        return active && position >= fadeEnd;
    }

    /**
     * Writes the next {@code sampleFrames} samples per channel of concealment.
     *
     * @param out receives {@code sampleFrames * channels} interleaved samples
     * @param offset index of the first sample written
     * @param sampleFrames samples per channel
     */
    public void conceal(short[] out, int offset, int sampleFrames) {
        if (!active) {
            start();
        }
        for (int i = 0; i < sampleFrames; i++) {
            next(out, offset + i * channels);
        }
    }

    /**
     * Cross-fades the continuation of the concealment into the start of real audio that follows a
     * loss, or fades that audio in if it follows silence. Does nothing if the previous audio was
     * real and continuous. Call before {@link #observe} for the same samples.
     *
     * @param pcm the real samples, changed in place
     * @param offset index of the first sample
     * @param sampleFrames samples per channel available at {@code offset}
     * @param afterSilence true if silence (not real audio, not concealment) played just before
     */
    public void blendInto(short[] pcm, int offset, int sampleFrames, boolean afterSilence) {
        int n = Math.min(ramp, sampleFrames);
        if (active && !isExhausted()) {
            for (int i = 0; i < n; i++) {
                float w = (i + 1) / (float) (n + 1);
                int base = offset + i * channels;
                for (int c = 0; c < channels; c++) {
                    float concealed = sampleAt(c);
                    pcm[base + c] = clamp(Math.round(concealed * (1 - w) + pcm[base + c] * w));
                }
                position++;
            }
        } else if (afterSilence || active) {
            for (int i = 0; i < n; i++) {
                float w = (i + 1) / (float) (n + 1);
                int base = offset + i * channels;
                for (int c = 0; c < channels; c++) {
                    pcm[base + c] = (short) Math.round(pcm[base + c] * w);
                }
            }
        }
    }

    /** Forgets the history: the next loss conceals with silence. */
    public void reset() {
        java.util.Arrays.fill(history, (short) 0);
        historyFill = 0;
        active = false;
        position = 0;
    }

    private void start() {
        active = true;
        position = 0;
        lag = findPitch();
        int last = (historyFrames - 1) * channels;
        for (int c = 0; c < channels; c++) {
            // predict the next sample from the last two, so the repeated period starts with no jump
            int predicted = 2 * history[last + c] - history[last - channels + c];
            int periodic = history[(historyFrames - lag) * channels + c];
            startOffset[c] = predicted - periodic;
        }
    }

    private int findPitch() {
        if (historyFill < maxLag + corrWindow) {
            return Math.max(minLag, Math.min(maxLag, historyFill / 2 + 1));
        }
        int end = historyFrames;
        int best = minLag;
        double bestScore = -1;
        for (int l = minLag; l <= maxLag; l++) {
            long xy = 0;
            long yy = 0;
            for (int i = end - corrWindow; i < end; i++) {
                int x = history[i * channels];
                int y = history[(i - l) * channels];
                xy += (long) x * y;
                yy += (long) y * y;
            }
            double score = yy == 0 ? 0 : xy / Math.sqrt((double) yy);
            if (score > bestScore) {
                bestScore = score;
                best = l;
            }
        }
        return best;
    }

    private float gain() {
        if (position < fadeStart) {
            return 1f;
        }
        if (position >= fadeEnd) {
            return 0f;
        }
        return 1f - (position - fadeStart) / (float) (fadeEnd - fadeStart);
    }

    private float sampleAt(int channel) {
        int p = historyFrames - lag + (position % lag);
        float v = history[p * channels + channel];
        if (position < ramp) {
            v += startOffset[channel] * (1f - position / (float) ramp);
        }
        return v * gain();
    }

    private void next(short[] out, int index) {
        for (int c = 0; c < channels; c++) {
            out[index + c] = clamp(Math.round(sampleAt(c)));
        }
        position++;
    }

    private static short clamp(int v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }
}
