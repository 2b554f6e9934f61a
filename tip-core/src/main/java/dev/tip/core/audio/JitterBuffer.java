package dev.tip.core.audio;

import dev.tip.core.internal.jitter.PlayoutEngine;
import dev.tip.core.internal.jitter.QuantileTarget;
import dev.tip.core.voice.AudioFormat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns one speaker's voice datagrams, arriving with jitter, loss, reordering and duplicates, into
 * a steady stream of PCM for the playout thread. Thread-safe: the receive thread calls
 * {@code insert}, the playout thread calls {@code playout}; every method holds this buffer's lock
 * for the time of one frame copy and never blocks otherwise.
 *
 * <p>Frames are ordered by sequence number (16 bits, wrapping) and placed in time by timestamp
 * (32 bits, wrapping). Duplicates and frames that arrive after their playout time are dropped and
 * counted. The buffer estimates the network jitter from the packets' relative delays (a high
 * quantile over a sliding window) and steers its delay to it: it grows at once when delays rise,
 * shrinks slowly, by cross-faded cuts of a few milliseconds, faster in quiet audio, and re-aligns
 * each talk spurt (marker bit or timestamp gap) in the silence before it. Missing frames are
 * concealed (the last pitch period continued, then faded); an empty buffer conceals and waits for the late packet
 * (a delay spike) before giving up to silence. A sequence jump confirmed by two consecutive
 * packets is a sender restart. The delay never exceeds the maximum delay.
 *
 * <p>Time is injected: every call takes the current time in nanoseconds of one monotonic clock
 * (for example {@code System.nanoTime()}, or virtual time in tests); the buffer never reads a clock.
 * Steady state allocates nothing: frames live in a preallocated ring.
 *
 * <pre>{@code
 * JitterBuffer buffer = JitterBuffer.builder(AudioFormat.ORIGINAL).build();
 * // receive thread
 * buffer.insert(d.sequence(), d.timestamp(), d.marker(), d.buffer(), d.payloadOffset(),
 *         d.payloadLength(), System.nanoTime());
 * // playout thread, once per sink frame
 * buffer.playout(System.nanoTime(), frame);
 * }</pre>
 */
public final class JitterBuffer {

    /** Default largest buffering delay: 1 s. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(1);
    /**
     * Default share of packets whose delay may exceed the target: 1.5%. The late loss that
     * results is lower (late plus waited-for frames 0.5-0.9% on the evaluation's traces without
     * spikes, at the client's 6.4 ms playout calls): a packet behind the target is waited for when
     * no later one is ready, and only a packet overtaken by a later one is lost.
     */
    public static final double DEFAULT_TARGET_LATE_LOSS = 0.015;
    /** Delay kept above the fastest packet until the history has 50 packets: 40 ms. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(40);
    /** Default length of the delay history the target is estimated from: 30 s. */
    public static final Duration DEFAULT_HISTORY = Duration.ofSeconds(30);

    /** {@link #insert} result: the frame was stored. */
    public static final int INSERTED = PlayoutEngine.INSERTED;
    /** {@link #insert} result: a copy of a frame already stored or played; dropped. */
    public static final int DUPLICATE = PlayoutEngine.DUPLICATE;
    /** {@link #insert} result: arrived after its playout time; dropped. */
    public static final int LATE = PlayoutEngine.LATE;
    /** {@link #insert} result: sequence number far from the stream's; dropped unless the next confirms a restart. */
    public static final int OUT_OF_RANGE = PlayoutEngine.OUT_OF_RANGE;

    /** What one {@link #playout} call produced. */
    public enum Playout {
        /** At least part of the output is received audio. */
        FRAME,
        /** The output is loss concealment: a packet was missing. */
        CONCEALED,
        /** The output is silence: no stream yet, or between talk spurts. */
        SILENCE
    }

    /** History used for streams without sequence numbers, where every loss shifts the delays. */
    private static final Duration UNSEQUENCED_HISTORY = Duration.ofSeconds(3);

    private final PlayoutEngine engine;
    /** The default estimator, or null when the builder was given another. */
    private final QuantileTarget target;

    private boolean unsequenced;
    private final AudioFormat format;
    private final int maxLength;

    private JitterBuffer(Builder b) {
        this.format = b.format;
        long frameNanos = format.frameNanos();
        int window = (int) Math.max(64, b.history.toNanos() / frameNanos);
        DelayEstimator estimator;
        if (b.estimators == null) {
            this.target = new QuantileTarget(window, 1.0 - b.targetLateLoss, 0, DEFAULT_INITIAL_DELAY.toNanos());
            estimator = target;
        } else {
            this.target = null;
            estimator = Objects.requireNonNull(b.estimators.get(), "the delay estimator supplier returned null");
        }
        this.engine = new PlayoutEngine(format, b.maxDelay.toNanos(), estimator, PlayoutEngine.Tuning.DEFAULT);
        this.maxLength = engine.maxPlayoutLength();
    }

    /**
     * Starts a builder for a buffer of frames of {@code format}.
     *
     * @param format the PCM format of the frames inserted and played
     * @return a builder with the defaults
     */
    public static Builder builder(AudioFormat format) {
        return new Builder(format);
    }

    /**
     * Returns the format of the frames.
     *
     * @return the format
     */
    public AudioFormat format() {
        return format;
    }

    /**
     * Inserts one received frame of PCM given as signed 16-bit little-endian bytes (a TIP/2
     * datagram's PCM payload, read in place). A payload shorter than a frame is padded with
     * silence, a longer one is cut.
     *
     * @param sequence the datagram's sequence number, 0..65535
     * @param timestamp the datagram's timestamp in samples, 0..2^32-1
     * @param marker the datagram's marker bit (first frame of a talk spurt)
     * @param payload the bytes; absolute indexes, the buffer's position and order are ignored
     * @param offset index of the first payload byte
     * @param length payload length in bytes
     * @param arrivalNanos when the datagram arrived
     * @return {@link #INSERTED}, {@link #DUPLICATE}, {@link #LATE} or {@link #OUT_OF_RANGE}
     */
    public synchronized int insert(
            int sequence,
            long timestamp,
            boolean marker,
            ByteBuffer payload,
            int offset,
            int length,
            long arrivalNanos) {
        return engine.insert(sequence, timestamp, marker, payload, offset, length, arrivalNanos);
    }

    /**
     * Inserts one received frame already decoded to samples (for example by an Opus decoder).
     *
     * @param sequence the datagram's sequence number
     * @param timestamp the datagram's timestamp
     * @param marker the datagram's marker bit
     * @param pcm the samples, interleaved when stereo
     * @param offset index of the first sample
     * @param length number of samples
     * @param arrivalNanos when the datagram arrived
     * @return {@link #INSERTED}, {@link #DUPLICATE}, {@link #LATE} or {@link #OUT_OF_RANGE}
     */
    public synchronized int insert(
            int sequence, long timestamp, boolean marker, short[] pcm, int offset, int length, long arrivalNanos) {
        return engine.insert(sequence, timestamp, marker, pcm, offset, length, arrivalNanos);
    }

    /**
     * Inserts one frame of a stream without sequence numbers (an original-dialect peer): frames
     * play in arrival order, a pause of more than four frames starts a new talk spurt, and the
     * delay adapts to the arrival jitter. Do not mix with the sequenced {@code insert} methods
     * on one buffer.
     *
     * @param payload raw PCM, signed 16-bit little-endian
     * @param offset index of the first byte
     * @param length number of bytes
     * @param arrivalNanos when the datagram arrived
     * @return {@link #INSERTED}, or {@link #LATE} if the frame can no longer be played
     */
    public synchronized int insertUnsequenced(ByteBuffer payload, int offset, int length, long arrivalNanos) {
        beUnsequenced();
        long n = engine.numberUnsequenced(arrivalNanos);
        return engine.insert(
                PlayoutEngine.unsequencedSeq(n),
                PlayoutEngine.unsequencedTs(n),
                PlayoutEngine.unsequencedMarker(n),
                payload,
                offset,
                length,
                arrivalNanos);
    }

    private void beUnsequenced() {
        if (!unsequenced) {
            unsequenced = true;
            if (target != null) {
                target.limitWindow((int) Math.max(16, UNSEQUENCED_HISTORY.toNanos() / format.frameNanos()));
            }
        }
    }

    /**
     * Writes the next {@code out.length} samples to play. Call it at the sink's pace, with the
     * time the samples are needed; any length up to two frames works, and shorter calls let the
     * buffer keep a smaller delay.
     *
     * @param nowNanos the current time
     * @param out receives the samples, interleaved when stereo
     * @return what the samples are
     * @throws IllegalArgumentException if {@code out} is longer than two frames or not a whole
     *     number of sample frames
     */
    public Playout playout(long nowNanos, short[] out) {
        return playout(nowNanos, out, 0, out.length);
    }

    /**
     * Writes the next {@code length} samples to play into {@code out} from {@code offset}.
     *
     * @param nowNanos the current time
     * @param out receives the samples
     * @param offset index of the first sample written
     * @param length number of samples, at most two frames, a multiple of the channel count
     * @return what the samples are
     * @throws IllegalArgumentException if the length is out of range
     */
    public Playout playout(long nowNanos, short[] out, int offset, int length) {
        if (length <= 0 || length > maxLength || length % format.channels() != 0) {
            throw new IllegalArgumentException(
                    "length must be 1.." + maxLength + " samples and a multiple of the channels, was " + length);
        }
        int r;
        synchronized (this) {
            r = engine.playout(nowNanos, out, offset, length);
        }
        switch (r) {
            case PlayoutEngine.PLAYED_FRAME:
                return Playout.FRAME;
            case PlayoutEngine.PLAYED_CONCEALMENT:
                return Playout.CONCEALED;
            default:
                return Playout.SILENCE;
        }
    }

    /**
     * Returns a snapshot of the counters and delays.
     *
     * @return the statistics (allocates one small record)
     */
    public synchronized JitterBufferStats stats() {
        return engine.stats();
    }

    /** Builds a {@link JitterBuffer}; validates each value and names the bad one. Not thread-safe. */
    public static final class Builder {
        private final AudioFormat format;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private double targetLateLoss = DEFAULT_TARGET_LATE_LOSS;
        private Duration history = DEFAULT_HISTORY;
        private Supplier<? extends DelayEstimator> estimators;

        private Builder(AudioFormat format) {
            this.format = Objects.requireNonNull(format, "format");
        }

        /**
         * Sets the largest buffering delay; beyond it the oldest frames are dropped.
         *
         * @param maxDelay 2 frames .. 10 s
         * @return this builder
         */
        public Builder maxDelay(Duration maxDelay) {
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (maxDelay.toNanos() < 2 * format.frameNanos() || maxDelay.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("maxDelay must be 2 frames .. 10 s, was " + maxDelay);
            }
            this.maxDelay = maxDelay;
            return this;
        }

        /**
         * Sets the share of packets whose delay may exceed the target: lower means more delay
         * and fewer late packets.
         *
         * @param share 0.0005 .. 0.2
         * @return this builder
         */
        public Builder targetLateLoss(double share) {
            if (!(share >= 0.0005 && share <= 0.2)) {
                throw new IllegalArgumentException("targetLateLoss must be 0.0005..0.2, was " + share);
            }
            this.targetLateLoss = share;
            return this;
        }

        /**
         * Sets how much recent delay history the target is estimated from.
         *
         * @param history 1 s .. 120 s
         * @return this builder
         */
        public Builder history(Duration history) {
            Objects.requireNonNull(history, "history");
            if (history.compareTo(Duration.ofSeconds(1)) < 0 || history.compareTo(Duration.ofSeconds(120)) > 0) {
                throw new IllegalArgumentException("history must be 1 s .. 120 s, was " + history);
            }
            this.history = history;
            return this;
        }

        /**
         * Replaces the default delay estimator (a quantile of {@link #targetLateLoss} over
         * {@link #history}, which then no longer apply) with another: the buffer's playout
         * machinery, concealment and statistics stay the same, only the target delay comes from
         * the estimator.
         *
         * @param estimators called once per {@link #build()} for the new buffer's own estimator
         * @return this builder
         */
        public Builder delayEstimator(Supplier<? extends DelayEstimator> estimators) {
            this.estimators = Objects.requireNonNull(estimators, "estimators");
            return this;
        }

        /**
         * Builds the buffer, preallocating its ring of frames.
         *
         * @return a new, empty buffer
         */
        public JitterBuffer build() {
            return new JitterBuffer(this);
        }
    }
}
