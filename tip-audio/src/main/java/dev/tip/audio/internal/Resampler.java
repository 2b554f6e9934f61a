package dev.tip.audio.internal;

/**
 * A streaming sample-rate converter for interleaved 16-bit PCM: a polyphase windowed-sinc
 * (Kaiser) low-pass filter evaluated at exact rational positions. Confined to one thread.
 *
 * <p>The rate ratio is reduced to {@code up/down}; the filter has one set of taps per phase
 * ({@code up} phases), so 20000 to 48000 Hz ({@code 12/5}) keeps 12 phases and 20000 to
 * 44100 Hz ({@code 441/200}) keeps 441. A ratio whose reduced {@code up} exceeds
 * {@link #MAX_PHASES} (an unusual rate such as 44101 Hz) is replaced by its closest fraction with
 * at most that many phases; the pitch error is then below one part per million.
 *
 * <p>Output sample {@code k} sits at input time {@code k * down / up}, so input and output are
 * aligned (no delay in sample indices); producing it needs {@link #lookahead()} input frames
 * beyond that time, which {@link #drain} supplies as zeros at the end of a stream.
 *
 * <p>Steady state allocates nothing: the history buffer grows only when a larger chunk than any
 * before is pushed.
 */
public final class Resampler {
    /** Most filter phases kept; bounds the table to a few hundred kilobytes. */
    public static final int MAX_PHASES = 1024;

    /** Taps per phase when not decimating; sets the transition band (about 8% of Nyquist). */
    private static final int BASE_TAPS = 64;

    /** Kaiser window shape: about 80 dB of stop-band attenuation. */
    private static final double KAISER_BETA = 8.0;

    /** Pass band edge as a fraction of the lower Nyquist; the rest is the transition band. */
    private static final double CUTOFF = 0.92;

    private final int channels;
    private final int up;
    private final int down;
    private final int taps;
    private final int half;
    private final float[] coefficients; // [phase * taps + tap]
    private final boolean passThrough;

    private float[] history; // interleaved input frames not yet consumed
    private int historyFrames;
    private int position; // frame index in history of the first tap of the next output
    private int phase; // 0 .. up-1
    private long framesIn;
    private long framesOut;

    /**
     * Creates a resampler.
     *
     * @param fromRate input sample rate in Hz
     * @param toRate output sample rate in Hz
     * @param channels interleaved channels, 1 or more
     */
    public Resampler(int fromRate, int toRate, int channels) {
        if (fromRate <= 0) {
            throw new IllegalArgumentException("fromRate must be positive, was " + fromRate);
        }
        if (toRate <= 0) {
            throw new IllegalArgumentException("toRate must be positive, was " + toRate);
        }
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1, was " + channels);
        }
        this.channels = channels;
        long[] ratio = closestRatio(toRate, fromRate, MAX_PHASES);
        this.up = (int) ratio[0];
        this.down = (int) ratio[1];
        this.passThrough = up == down;
        double scale = Math.min(1.0, (double) up / down);
        int n = passThrough ? 2 : (int) Math.ceil(BASE_TAPS / scale);
        this.taps = n + (n & 1);
        this.half = taps / 2;
        this.coefficients = passThrough ? new float[0] : design(up, taps, scale * CUTOFF);
        this.history = new float[(taps + 1024) * channels];
        reset();
    }

    /** Forgets all input: the next push starts a new stream (leading silence for the filter). */
    public void reset() {
        // half - 1 leading zeros: the first output (time 0) needs taps from time -(half - 1)
        java.util.Arrays.fill(history, 0f);
        historyFrames = passThrough ? 0 : half - 1;
        position = 0;
        phase = 0;
        framesIn = 0;
        framesOut = 0;
    }

    /**
     * Returns the input frames needed beyond an output's time before it can be produced.
     *
     * @return lookahead in input frames
     */
    public int lookahead() {
        return passThrough ? 0 : half;
    }

    /**
     * Returns the most output frames that pushing {@code inputFrames} frames can produce.
     *
     * @param inputFrames frames to push
     * @return an upper bound on the frames {@link #push} writes
     */
    public int maxOutputFrames(int inputFrames) {
        return (int) (((long) inputFrames + taps + 1) * up / down) + 2;
    }

    /**
     * Pushes interleaved input frames and writes every output frame that became computable.
     *
     * @param in interleaved samples
     * @param offset index of the first sample in {@code in}
     * @param frames frames to push
     * @param out where output frames go, interleaved; room for {@link #maxOutputFrames} frames
     * @param outOffset index of the first sample to write in {@code out}
     * @return the number of frames written to {@code out}
     */
    public int push(short[] in, int offset, int frames, short[] out, int outOffset) {
        append(in, offset, frames);
        framesIn += frames;
        return produce(out, outOffset, Long.MAX_VALUE);
    }

    /**
     * Ends the stream: feeds silence past the last input so its final samples come out, and stops
     * at the output length that matches the input length. Call {@link #reset()} before reuse.
     *
     * @param out where output frames go; room for {@code maxOutputFrames(lookahead())} frames
     * @param outOffset index of the first sample to write in {@code out}
     * @return the number of frames written
     */
    public int drain(short[] out, int outOffset) {
        if (passThrough) {
            return 0;
        }
        long total = (framesIn * up + down - 1) / down;
        ensureCapacity(half + 1);
        java.util.Arrays.fill(history, historyFrames * channels, (historyFrames + half + 1) * channels, 0f);
        historyFrames += half + 1;
        return produce(out, outOffset, total);
    }

    private void append(short[] in, int offset, int frames) {
        ensureCapacity(frames);
        int base = historyFrames * channels;
        int count = frames * channels;
        for (int i = 0; i < count; i++) {
            history[base + i] = in[offset + i];
        }
        historyFrames += frames;
    }

    private void ensureCapacity(int frames) {
        // drop the consumed prefix first, then grow if the chunk still does not fit
        if (position > 0) {
            System.arraycopy(history, position * channels, history, 0, (historyFrames - position) * channels);
            historyFrames -= position;
            position = 0;
        }
        int needed = (historyFrames + frames) * channels;
        if (needed > history.length) {
            history = java.util.Arrays.copyOf(history, Math.max(needed, history.length * 2));
        }
    }

    private int produce(short[] out, int outOffset, long limit) {
        int written = 0;
        int o = outOffset;
        if (passThrough) {
            int count = (historyFrames - position) * channels;
            int base = position * channels;
            for (int i = 0; i < count; i++) {
                out[o + i] = clip(history[base + i]);
            }
            written = historyFrames - position;
            position = historyFrames;
            framesOut += written;
            return written;
        }
        while (position + taps <= historyFrames && framesOut < limit) {
            int c0 = phase * taps;
            int h0 = position * channels;
            for (int ch = 0; ch < channels; ch++) {
                float acc = 0f;
                int h = h0 + ch;
                for (int t = 0; t < taps; t++) {
                    acc += coefficients[c0 + t] * history[h];
                    h += channels;
                }
                out[o++] = clip(acc);
            }
            written++;
            framesOut++;
            phase += down;
            position += phase / up;
            phase %= up;
        }
        return written;
    }

    private static short clip(float v) {
        int r = Math.round(v);
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, r));
    }

    /** Designs the per-phase taps: tap {@code t} of phase {@code p} weighs the input at offset {@code p/up + half - 1 - t}. */
    private static float[] design(int up, int taps, double cutoff) {
        float[] c = new float[up * taps];
        int half = taps / 2;
        double i0Beta = besselI0(KAISER_BETA);
        for (int p = 0; p < up; p++) {
            double frac = (double) p / up;
            double sum = 0;
            double[] row = new double[taps];
            for (int t = 0; t < taps; t++) {
                double u = frac + (half - 1) - t; // distance from the output time, in input samples
                double x = u / half;
                double w = Math.abs(x) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / i0Beta;
                row[t] = cutoff * sinc(cutoff * u) * w;
                sum += row[t];
            }
            // unit gain at DC for every phase, otherwise DC would ripple at the phase rate
            for (int t = 0; t < taps; t++) {
                c[p * taps + t] = (float) (row[t] / sum);
            }
        }
        return c;
    }

    private static double sinc(double x) {
        return x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    }

    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 60 && term > 1e-12 * sum; k++) {
            term *= q / ((double) k * k);
            sum += term;
        }
        return sum;
    }

    /** Reduces {@code num/den}; if the numerator stays above {@code maxNum}, takes the closest fraction within it. */
    static long[] closestRatio(long num, long den, long maxNum) {
        long g = gcd(num, den);
        num /= g;
        den /= g;
        if (num <= maxNum) {
            return new long[] {num, den};
        }
        // continued fraction convergents of num/den, last one with a small enough numerator
        long p0 = 0;
        long q0 = 1;
        long p1 = 1;
        long q1 = 0;
        long a = num;
        long b = den;
        while (b != 0) {
            long k = a / b;
            long p2 = k * p1 + p0;
            long q2 = k * q1 + q0;
            if (p2 > maxNum) {
                break;
            }
            p0 = p1;
            q0 = q1;
            p1 = p2;
            q1 = q2;
            long r = a - k * b;
            a = b;
            b = r;
        }
        return new long[] {p1, q1};
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
