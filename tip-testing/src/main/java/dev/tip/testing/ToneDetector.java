package dev.tip.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Finds sine tones in PCM: which of a list of candidate frequencies are present (Goertzel filter
 * on a Hann-windowed block) and which frequency dominates (FFT peak refined by interpolation).
 * Meant for tests and the demo, which check what each client heard. Thread-safe (stateless).
 *
 * <pre>{@code
 * List<Double> heard = ToneDetector.detect(samples, 20_000, new double[] {440, 660, 880});
 * double main = ToneDetector.dominantFrequency(samples, 20_000);
 * }</pre>
 *
 * <p>Samples are mono; for stereo, pass one channel or a mix. Amplitudes are peak amplitudes as a
 * fraction of full scale (a full-scale sine is 1.0, tip-audio's ToneSource plays 0.5 by default).
 */
public final class ToneDetector {
    /** Longest block {@link #dominantFrequency} transforms; longer input is analysed in its middle. */
    private static final int MAX_FFT = 1 << 18;

    /** Default presence threshold: a tone of at least 1% of full scale (-40 dBFS). */
    public static final double DEFAULT_THRESHOLD = 0.01;

    private ToneDetector() {}

    /**
     * Returns the candidate frequencies present with at least {@link #DEFAULT_THRESHOLD}
     * amplitude.
     *
     * @param samples mono samples; a few hundred milliseconds or more for close candidates
     * @param sampleRate the samples' rate in Hz
     * @param candidatesHz the frequencies to look for
     * @return the candidates present, in the order given
     */
    public static List<Double> detect(short[] samples, int sampleRate, double[] candidatesHz) {
        return detect(samples, sampleRate, candidatesHz, DEFAULT_THRESHOLD);
    }

    /**
     * Returns the candidate frequencies present with at least {@code threshold} amplitude.
     *
     * @param samples mono samples
     * @param sampleRate the samples' rate in Hz
     * @param candidatesHz the frequencies to look for
     * @param threshold the least peak amplitude counted as present, as a fraction of full scale
     * @return the candidates present, in the order given
     */
    public static List<Double> detect(short[] samples, int sampleRate, double[] candidatesHz, double threshold) {
        Objects.requireNonNull(candidatesHz, "candidatesHz");
        if (!(threshold > 0)) {
            throw new IllegalArgumentException("threshold must be positive, was " + threshold);
        }
        List<Double> present = new ArrayList<>();
        for (double hz : candidatesHz) {
            if (amplitude(samples, sampleRate, hz) >= threshold) {
                present.add(hz);
            }
        }
        return present;
    }

    /**
     * Measures the peak amplitude of the component at one frequency (Goertzel on a Hann window).
     *
     * @param samples mono samples
     * @param sampleRate the samples' rate in Hz
     * @param frequencyHz the frequency to measure
     * @return its peak amplitude as a fraction of full scale (about 0.5 for a half-scale sine)
     */
    public static double amplitude(short[] samples, int sampleRate, double frequencyHz) {
        Objects.requireNonNull(samples, "samples");
        checkRate(sampleRate);
        int n = samples.length;
        if (n == 0) {
            return 0;
        }
        double coefficient = 2 * Math.cos(2 * Math.PI * frequencyHz / sampleRate);
        double s1 = 0;
        double s2 = 0;
        double windowSum = 0;
        for (int i = 0; i < n; i++) {
            double w = hann(i, n);
            windowSum += w;
            double s0 = w * samples[i] + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return 2 * Math.sqrt(Math.max(0, power)) / windowSum / 32768.0;
    }

    /**
     * Estimates the strongest frequency in the samples (FFT of a Hann-windowed block, peak
     * refined by Gaussian interpolation: well under 1 Hz of error for a pure tone over 0.5 s).
     *
     * @param samples mono samples, at least 16
     * @param sampleRate the samples' rate in Hz
     * @return the dominant frequency in Hz, or {@link Double#NaN} for silence (all samples equal)
     */
    public static double dominantFrequency(short[] samples, int sampleRate) {
        Objects.requireNonNull(samples, "samples");
        checkRate(sampleRate);
        if (samples.length < 16) {
            throw new IllegalArgumentException("need at least 16 samples, got " + samples.length);
        }
        int length = Math.min(samples.length, MAX_FFT);
        int start = (samples.length - length) / 2;
        int n = Integer.highestOneBit(length);
        if (n < length) {
            n <<= 1; // zero-pad to the next power of two; the window covers the real samples only
        }
        double[] re = new double[n];
        double[] im = new double[n];
        double mean = 0;
        for (int i = 0; i < length; i++) {
            mean += samples[start + i];
        }
        mean /= length;
        for (int i = 0; i < length; i++) {
            re[i] = (samples[start + i] - mean) * hann(i, length);
        }
        fft(re, im);
        int best = -1;
        double bestPower = 0;
        for (int k = 1; k < n / 2; k++) {
            double p = re[k] * re[k] + im[k] * im[k];
            if (p > bestPower) {
                bestPower = p;
                best = k;
            }
        }
        if (best < 0 || bestPower < 1e-9) {
            return Double.NaN;
        }
        double offset = 0;
        if (best > 1 && best < n / 2 - 1) {
            double a = Math.log(re[best - 1] * re[best - 1] + im[best - 1] * im[best - 1] + 1e-30);
            double b = Math.log(bestPower);
            double c = Math.log(re[best + 1] * re[best + 1] + im[best + 1] * im[best + 1] + 1e-30);
            double denominator = a - 2 * b + c;
            if (denominator < 0) {
                offset = 0.5 * (a - c) / denominator;
            }
        }
        return (best + offset) * sampleRate / n;
    }

    private static double hann(int i, int n) {
        return n == 1 ? 1 : 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
    }

    private static void checkRate(int sampleRate) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be positive, was " + sampleRate);
        }
    }

    /** In-place iterative radix-2 FFT; {@code re.length} is a power of two. */
    private static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double angle = -2 * Math.PI / len;
            double wr = Math.cos(angle);
            double wi = Math.sin(angle);
            for (int i = 0; i < n; i += len) {
                double cr = 1;
                double ci = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k;
                    int b = a + len / 2;
                    double xr = re[b] * cr - im[b] * ci;
                    double xi = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                    double t = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = t;
                }
            }
        }
    }
}
