package dev.tip.testing;

import java.util.SplittableRandom;

/**
 * A deterministic speech-like test signal, in the spirit of ITU-T P.50's artificial voice: a
 * glottal pulse train with a moving pitch through three formant resonators whose frequencies glide
 * between vowels, fricative bursts of shaped noise, syllable envelopes, and pauses between words
 * with a microphone's noise floor. It is not speech; it has speech's spectral envelope, pitch,
 * onsets and silences, which a steady tone lacks, and which decide how a codec's concealment and
 * its in-band FEC behave.
 */
public final class ArtificialVoice {

    /** Formants F1, F2, F3 (Hz) of the vowels a, e, i, o, u (a male voice, Peterson and Barney). */
    private static final double[][] VOWELS = {
        {730, 1090, 2440}, {530, 1840, 2480}, {270, 2290, 3010}, {570, 840, 2410}, {300, 870, 2240}
    };

    private static final double[] BANDWIDTHS = {80, 100, 140};

    /** rms of the noise floor, in sample units (about -55 dBFS): the encoder codes every packet. */
    private static final double NOISE_FLOOR = 60;

    /** rms of a vowel at its peak (about -18 dBFS). */
    private static final double VOWEL_LEVEL = 4_000;

    private ArtificialVoice() {}

    /**
     * Generates the signal.
     *
     * @param rate samples per second
     * @param samples how many samples
     * @param seed the seed: the same seed gives the same signal
     * @return 16-bit samples
     */
    public static short[] generate(int rate, int samples, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] out = new double[samples];
        int at = 0;
        while (at < samples) {
            int syllables = 1 + random.nextInt(4);
            for (int s = 0; s < syllables && at < samples; s++) {
                if (random.nextInt(2) == 0) {
                    at = fricative(out, at, ms(rate, 40 + random.nextInt(50)), rate, random);
                }
                at = vowel(out, at, ms(rate, 120 + random.nextInt(140)), rate, random);
                at += ms(rate, random.nextInt(30));
            }
            at += ms(rate, 150 + random.nextInt(350));
        }
        short[] pcm = new short[samples];
        for (int i = 0; i < samples; i++) {
            double v = out[i] + NOISE_FLOOR * random.nextGaussian();
            pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(v)));
        }
        return pcm;
    }

    private static int ms(int rate, int millis) {
        return rate * millis / 1000;
    }

    private static int vowel(double[] out, int at, int length, int rate, SplittableRandom random) {
        double[] from = VOWELS[random.nextInt(VOWELS.length)];
        double[] to = VOWELS[random.nextInt(VOWELS.length)];
        double f0Start = 100 + 60 * random.nextDouble();
        double f0End = f0Start * (0.8 + 0.4 * random.nextDouble());
        Resonators formants = new Resonators(3);
        double[] seg = new double[length];
        double phase = 0;
        double glottis = 0;
        for (int i = 0; i < length; i++) {
            double t = (double) i / length;
            double f0 = f0Start + (f0End - f0Start) * t;
            phase += f0 / rate;
            double excitation = 0;
            if (phase >= 1) {
                phase -= 1;
                excitation = 1;
            }
            glottis = 0.9 * glottis + excitation; // a softened pulse: the glottal roll-off
            for (int k = 0; k < 3; k++) {
                formants.tune(k, from[k] + (to[k] - from[k]) * t, BANDWIDTHS[k], rate);
            }
            seg[i] = formants.filter(glottis);
        }
        return place(out, at, seg, VOWEL_LEVEL, length / 5, length / 3);
    }

    private static int fricative(double[] out, int at, int length, int rate, SplittableRandom random) {
        Resonators colour = new Resonators(1);
        double centre = Math.min(rate * 0.4, 3_500 + 3_000 * random.nextDouble());
        colour.tune(0, centre, 1_500, rate);
        double[] seg = new double[length];
        for (int i = 0; i < length; i++) {
            seg[i] = colour.filter(random.nextGaussian());
        }
        return place(out, at, seg, VOWEL_LEVEL / 4, length / 4, length / 4);
    }

    /** Scales a segment to its rms, shapes it with raised-cosine edges, adds it at {@code at}. */
    private static int place(double[] out, int at, double[] seg, double level, int attack, int decay) {
        double sum = 0;
        for (double v : seg) {
            sum += v * v;
        }
        double gain = sum == 0 ? 0 : level / Math.sqrt(sum / seg.length);
        for (int i = 0; i < seg.length && at + i < out.length; i++) {
            double env = 1;
            if (i < attack) {
                env = 0.5 - 0.5 * Math.cos(Math.PI * i / attack);
            } else if (i >= seg.length - decay) {
                env = 0.5 - 0.5 * Math.cos(Math.PI * (seg.length - i) / decay);
            }
            out[at + i] += seg[i] * gain * env;
        }
        return at + seg.length;
    }

    /** Two-pole resonators in cascade. */
    private static final class Resonators {
        private final double[] b1;
        private final double[] b2;
        private final double[] gain;
        private final double[] y1;
        private final double[] y2;

        Resonators(int n) {
            b1 = new double[n];
            b2 = new double[n];
            gain = new double[n];
            y1 = new double[n];
            y2 = new double[n];
        }

        void tune(int k, double frequency, double bandwidth, int rate) {
            double r = Math.exp(-Math.PI * bandwidth / rate);
            b1[k] = 2 * r * Math.cos(2 * Math.PI * frequency / rate);
            b2[k] = -r * r;
            gain[k] = 1 - r;
        }

        double filter(double x) {
            double v = x;
            for (int k = 0; k < b1.length; k++) {
                double y = gain[k] * v + b1[k] * y1[k] + b2[k] * y2[k];
                y2[k] = y1[k];
                y1[k] = y;
                v = y;
            }
            return v;
        }
    }
}
