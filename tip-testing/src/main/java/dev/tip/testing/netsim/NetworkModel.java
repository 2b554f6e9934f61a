package dev.tip.testing.netsim;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A network and a talker between one sender and one receiver, described by a few parameters and
 * turned into a {@link Trace} by {@link #generate}: the same parameters and seed always give the
 * same trace. Immutable and thread-safe.
 *
 * <p>One-way delay of packet {@code i} = base + jitter + spike + step, where jitter is drawn from
 * a distribution (none, Gamma, Pareto) smoothed by an AR(1) correlation as netem does
 * ({@code j = c * j_prev + (1 - c) * x}); a spike freezes the queue (a packet sent {@code t} after
 * the spike started waits {@code height - t}); a step adds a constant from a time on. Reordering
 * falls out of the delays. Loss is a Gilbert-Elliott chain; duplicates arrive a uniform extra
 * delay later. Send times follow the sender's clock, which runs {@code driftPpm} fast or slow; an
 * on/off talker (exponential talk and silence) sends nothing in silence, and sets the marker on
 * the first packet of each talk spurt. Sequence numbers and timestamps start close to their wrap
 * so that every trace of a few minutes exercises wrap-around.
 */
public final class NetworkModel {

    /** Jitter distribution. */
    public enum Jitter {
        /** No jitter. */
        NONE,
        /** Gamma with shape {@code k} and scale {@code theta}. */
        GAMMA,
        /** Pareto with shape {@code alpha} and minimum {@code xm}. */
        PARETO
    }

    final long baseNanos;
    final Jitter jitter;
    final double shape;
    final long scaleNanos;
    final double correlation;
    final double lossGoodToBad;
    final double lossBadToGood;
    final double duplicateProbability;
    final long duplicateMaxExtraNanos;
    final long spikeEveryNanos;
    final long spikeHeightNanos;
    final long stepAtNanos;
    final long stepNanos;
    final double driftPpm;
    final long talkMeanNanos;
    final long silenceMeanNanos;

    private NetworkModel(Builder b) {
        baseNanos = b.baseNanos;
        jitter = b.jitter;
        shape = b.shape;
        scaleNanos = b.scaleNanos;
        correlation = b.correlation;
        lossGoodToBad = b.lossGoodToBad;
        lossBadToGood = b.lossBadToGood;
        duplicateProbability = b.duplicateProbability;
        duplicateMaxExtraNanos = b.duplicateMaxExtraNanos;
        spikeEveryNanos = b.spikeEveryNanos;
        spikeHeightNanos = b.spikeHeightNanos;
        stepAtNanos = b.stepAtNanos;
        stepNanos = b.stepNanos;
        driftPpm = b.driftPpm;
        talkMeanNanos = b.talkMeanNanos;
        silenceMeanNanos = b.silenceMeanNanos;
    }

    /**
     * Starts a builder: constant 20 ms delay, no loss, continuous talk.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder holding this model's parameters, to derive a variant.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.baseNanos = baseNanos;
        b.jitter = jitter;
        b.shape = shape;
        b.scaleNanos = scaleNanos;
        b.correlation = correlation;
        b.lossGoodToBad = lossGoodToBad;
        b.lossBadToGood = lossBadToGood;
        b.duplicateProbability = duplicateProbability;
        b.duplicateMaxExtraNanos = duplicateMaxExtraNanos;
        b.spikeEveryNanos = spikeEveryNanos;
        b.spikeHeightNanos = spikeHeightNanos;
        b.stepAtNanos = stepAtNanos;
        b.stepNanos = stepNanos;
        b.driftPpm = driftPpm;
        b.talkMeanNanos = talkMeanNanos;
        b.silenceMeanNanos = silenceMeanNanos;
        return b;
    }

    /**
     * Generates a trace. Every random draw comes from streams split off one
     * {@link SplittableRandom} seeded with {@code seed}, one stream per ingredient, so that two
     * models differing only in drift (or spikes) share the same jitter and losses.
     *
     * @param sampleRate the sender's samples per second
     * @param samplesPerFrame samples per packet (one packet per frame)
     * @param length how long the sender runs
     * @param seed the seed
     * @return the trace
     */
    public Trace generate(int sampleRate, int samplesPerFrame, Duration length, long seed) {
        if (sampleRate <= 0 || samplesPerFrame <= 0) {
            throw new IllegalArgumentException(
                    "sampleRate and samplesPerFrame must be positive, were " + sampleRate + ", " + samplesPerFrame);
        }
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom jitterRandom = root.split();
        SplittableRandom lossRandom = root.split();
        SplittableRandom dupRandom = root.split();
        SplittableRandom talkRandom = root.split();
        SplittableRandom startRandom = root.split();

        long frameNanos = samplesPerFrame * 1_000_000_000L / sampleRate;
        int frames = (int) (length.toNanos() / frameNanos);
        int seq0 = 65536 - 200 - startRandom.nextInt(100);
        long ts0 = 0x1_0000_0000L - (long) samplesPerFrame * (300 + startRandom.nextInt(100));
        double senderPeriod = samplesPerFrame * 1e9 / sampleRate / (1 + driftPpm * 1e-6);

        long[] send = new long[frames];
        long[] delay = new long[frames];
        int[] seq = new int[frames];
        long[] ts = new long[frames];
        boolean[] marker = new boolean[frames];
        int sent = 0;
        double j = 0;
        boolean bad = false;
        boolean talking = true;
        long switchAt = talkMeanNanos > 0 ? exp(talkRandom, talkMeanNanos) : Long.MAX_VALUE;
        boolean spurtStart = true;
        for (int f = 0; f < frames; f++) {
            long t = Math.round(f * senderPeriod);
            while (t >= switchAt) {
                talking = !talking;
                switchAt += exp(talkRandom, talking ? talkMeanNanos : silenceMeanNanos);
                if (talking) {
                    spurtStart = true;
                }
            }
            // draw for every frame, sent or not, so that variants stay aligned
            double x = draw(jitterRandom);
            j = f == 0 ? x : correlation * j + (1 - correlation) * x;
            boolean lost;
            if (bad) {
                bad = lossRandom.nextDouble() >= lossBadToGood;
            } else {
                bad = lossRandom.nextDouble() < lossGoodToBad;
            }
            lost = bad;
            if (!talking) {
                continue;
            }
            long d = baseNanos + Math.round(j);
            if (spikeEveryNanos > 0 && t >= spikeEveryNanos / 2) {
                long sinceSpike = (t - spikeEveryNanos / 2) % spikeEveryNanos;
                if (sinceSpike < spikeHeightNanos) {
                    d += spikeHeightNanos - sinceSpike;
                }
            }
            if (stepNanos != 0 && t >= stepAtNanos) {
                d += stepNanos;
            }
            send[sent] = t;
            delay[sent] = lost ? -1 : d;
            seq[sent] = (seq0 + sent) & 0xFFFF;
            ts[sent] = (ts0 + (long) f * samplesPerFrame) & 0xFFFF_FFFFL;
            marker[sent] = spurtStart;
            spurtStart = false;
            sent++;
        }
        // arrivals, duplicates included, in arrival order (ties by send order)
        int[] arrivalPacket = new int[sent * 2];
        long[] arrivalTime = new long[sent * 2];
        int n = 0;
        for (int i = 0; i < sent; i++) {
            boolean dup = dupRandom.nextDouble() < duplicateProbability;
            long extra = dupRandom.nextLong(duplicateMaxExtraNanos + 1);
            if (delay[i] < 0) {
                continue;
            }
            arrivalPacket[n] = i;
            arrivalTime[n++] = send[i] + delay[i];
            if (dup) {
                arrivalPacket[n] = i;
                arrivalTime[n++] = send[i] + delay[i] + extra;
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        final long[] at = arrivalTime;
        final int[] ap = arrivalPacket;
        Arrays.sort(order, (a, b) -> at[a] != at[b] ? Long.compare(at[a], at[b]) : Integer.compare(ap[a], ap[b]));
        int[] packet = new int[n];
        long[] arrival = new long[n];
        for (int i = 0; i < n; i++) {
            packet[i] = arrivalPacket[order[i]];
            arrival[i] = arrivalTime[order[i]];
        }
        return new Trace(
                sampleRate,
                samplesPerFrame,
                sent,
                Arrays.copyOf(send, sent),
                Arrays.copyOf(delay, sent),
                Arrays.copyOf(seq, sent),
                Arrays.copyOf(ts, sent),
                Arrays.copyOf(marker, sent),
                packet,
                arrival,
                frames * frameNanos);
    }

    private double draw(SplittableRandom r) {
        switch (jitter) {
            case GAMMA:
                return gamma(r, shape) * scaleNanos;
            case PARETO:
                return scaleNanos / Math.pow(1 - r.nextDouble(), 1 / shape);
            default:
                return 0;
        }
    }

    private static long exp(SplittableRandom r, long mean) {
        return Math.max(1, Math.round(-Math.log(1 - r.nextDouble()) * mean));
    }

    /** Marsaglia and Tsang's method; shape below 1 by the boost {@code U^(1/k)}. */
    static double gamma(SplittableRandom r, double k) {
        if (k < 1) {
            return gamma(r, k + 1) * Math.pow(r.nextDouble(), 1 / k);
        }
        double d = k - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = normal(r);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = r.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    private static double normal(SplittableRandom r) {
        double u1 = 1 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Builds a {@link NetworkModel}; validates each value and names the bad one. Not thread-safe. */
    public static final class Builder {
        private long baseNanos = 20_000_000L;
        private Jitter jitter = Jitter.NONE;
        private double shape = 1;
        private long scaleNanos;
        private double correlation;
        private double lossGoodToBad;
        private double lossBadToGood = 1;
        private double duplicateProbability;
        private long duplicateMaxExtraNanos;
        private long spikeEveryNanos;
        private long spikeHeightNanos;
        private long stepAtNanos;
        private long stepNanos;
        private double driftPpm;
        private long talkMeanNanos;
        private long silenceMeanNanos;

        private Builder() {}

        /**
         * Sets the constant part of the one-way delay.
         *
         * @param base at least 0
         * @return this builder
         */
        public Builder base(Duration base) {
            if (base.isNegative()) {
                throw new IllegalArgumentException("base must not be negative, was " + base);
            }
            baseNanos = base.toNanos();
            return this;
        }

        /**
         * Gamma jitter.
         *
         * @param k shape, above 0
         * @param theta scale
         * @return this builder
         */
        public Builder gamma(double k, Duration theta) {
            if (!(k > 0)) {
                throw new IllegalArgumentException("k must be above 0, was " + k);
            }
            jitter = Jitter.GAMMA;
            shape = k;
            scaleNanos = theta.toNanos();
            return this;
        }

        /**
         * Pareto jitter.
         *
         * @param alpha shape, above 1
         * @param xm minimum
         * @return this builder
         */
        public Builder pareto(double alpha, Duration xm) {
            if (!(alpha > 1)) {
                throw new IllegalArgumentException("alpha must be above 1, was " + alpha);
            }
            jitter = Jitter.PARETO;
            shape = alpha;
            scaleNanos = xm.toNanos();
            return this;
        }

        /**
         * AR(1) correlation of successive jitter draws.
         *
         * @param c 0 (independent) .. below 1
         * @return this builder
         */
        public Builder correlation(double c) {
            if (!(c >= 0 && c < 1)) {
                throw new IllegalArgumentException("correlation must be 0..1 (exclusive), was " + c);
            }
            correlation = c;
            return this;
        }

        /**
         * Gilbert-Elliott loss: every packet in the bad state is lost.
         *
         * @param p probability of going from good to bad, per packet
         * @param r probability of going from bad to good, per packet
         * @return this builder
         */
        public Builder gilbertElliott(double p, double r) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("p must be 0..1, was " + p);
            }
            if (!(r > 0 && r <= 1)) {
                throw new IllegalArgumentException("r must be above 0 and at most 1, was " + r);
            }
            lossGoodToBad = p;
            lossBadToGood = r;
            return this;
        }

        /**
         * Duplicates packets.
         *
         * @param probability share of packets duplicated
         * @param maxExtra the copy arrives uniformly 0..maxExtra after the original
         * @return this builder
         */
        public Builder duplicates(double probability, Duration maxExtra) {
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("probability must be 0..1, was " + probability);
            }
            duplicateProbability = probability;
            duplicateMaxExtraNanos = maxExtra.toNanos();
            return this;
        }

        /**
         * Periodic delay spikes that freeze the queue.
         *
         * @param every period of the spikes (the first one after half a period, so that spikes
         *     fall between round minutes)
         * @param height extra delay of the first packet of a spike
         * @return this builder
         */
        public Builder spikes(Duration every, Duration height) {
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("every must be positive, was " + every);
            }
            spikeEveryNanos = every.toNanos();
            spikeHeightNanos = height.toNanos();
            return this;
        }

        /**
         * A route change: a constant extra delay from a time on.
         *
         * @param at when
         * @param size how much extra delay
         * @return this builder
         */
        public Builder step(Duration at, Duration size) {
            stepAtNanos = at.toNanos();
            stepNanos = size.toNanos();
            return this;
        }

        /**
         * Sender clock drift.
         *
         * @param ppm positive: the sender's clock runs fast; -2000..2000
         * @return this builder
         */
        public Builder drift(double ppm) {
            if (!(ppm >= -2000 && ppm <= 2000)) {
                throw new IllegalArgumentException("ppm must be -2000..2000, was " + ppm);
            }
            driftPpm = ppm;
            return this;
        }

        /**
         * An on/off talker: nothing is sent in silence.
         *
         * @param talkMean mean talk-spurt length (exponential)
         * @param silenceMean mean silence length (exponential)
         * @return this builder
         */
        public Builder talkSpurts(Duration talkMean, Duration silenceMean) {
            if (talkMean.isNegative() || talkMean.isZero() || silenceMean.isNegative() || silenceMean.isZero()) {
                throw new IllegalArgumentException(
                        "talkMean and silenceMean must be positive, were " + talkMean + " and " + silenceMean);
            }
            talkMeanNanos = talkMean.toNanos();
            silenceMeanNanos = silenceMean.toNanos();
            return this;
        }

        /**
         * Builds the model.
         *
         * @return the model
         */
        public NetworkModel build() {
            return new NetworkModel(this);
        }
    }
}
