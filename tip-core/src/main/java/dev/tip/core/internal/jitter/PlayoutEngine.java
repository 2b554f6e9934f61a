package dev.tip.core.internal.jitter;

import dev.tip.core.audio.DelayEstimator;
import dev.tip.core.audio.JitterBufferStats;
import dev.tip.core.voice.AudioFormat;
import java.nio.ByteBuffer;

/**
 * The jitter buffer's machinery, a coordinator of small parts: a ring of preallocated frames
 * indexed by extended sequence number ({@link SlotRing}), the arrival side that numbers frames,
 * measures their relative delay and feeds a {@link DelayEstimator} ({@link Admission}, on a {@link
 * Timeline}), a sample FIFO between the ring and the playout calls so that the delay can be changed
 * by a fraction of a frame, with loss concealment ({@link SampleFifo}), the playout side that
 * decides what plays and steers the playout offset to the policy's target ({@link
 * PlayoutScheduler}, with the {@link WaitTracker} of underruns), and the counters ({@link
 * PlayoutStats}). Virtual time: every method takes the current time. Allocates nothing after
 * construction. Not thread-safe: the public {@code JitterBuffer} serialises calls.
 */
public final class PlayoutEngine {

    /** Insert result: the frame was stored. */
    public static final int INSERTED = 0;
    /** Insert result: a copy of a frame already stored or played. */
    public static final int DUPLICATE = 1;
    /** Insert result: arrived after its playout time. */
    public static final int LATE = 2;
    /** Insert result: a sequence number far from the stream's; kept as a possible restart. */
    public static final int OUT_OF_RANGE = 3;

    /** Playout result: at least part of the output came from received frames. */
    public static final int PLAYED_FRAME = 0;
    /** Playout result: the output was concealment (and maybe silence), no received audio. */
    public static final int PLAYED_CONCEALMENT = 1;
    /** Playout result: only silence (no stream, or between talk spurts). */
    public static final int PLAYED_SILENCE = 2;

    private final AudioFormat format;
    private final double nanosPerSample;
    private final DelayEstimator policy;
    private final SlotRing ring;
    private final SampleFifo fifo;
    private final PlayoutStats stats;
    private final PlayoutScheduler scheduler;
    private final Admission admission;
    private final UnsequencedNumbering unsequenced;
    private final HeardDelay heard;

    /**
     * Creates an engine.
     *
     * @param format the PCM format of every frame
     * @param maxDelayNanos the largest buffering delay ever kept
     * @param policy decides the target offset
     * @param tuning the controller's constants
     */
    public PlayoutEngine(AudioFormat format, long maxDelayNanos, DelayEstimator policy, Tuning tuning) {
        this.format = format;
        this.nanosPerSample = 1e9 / format.sampleRate();
        this.policy = policy;
        long frameNanos = format.frameNanos();
        this.ring = new SlotRing(
                SlotRing.capacityFor(maxDelayNanos, frameNanos), format.samplesPerFrame(), format.frameLength());
        this.fifo = new SampleFifo(format);
        this.stats = new PlayoutStats();
        Timeline timeline = new Timeline(nanosPerSample);
        WaitTracker waits = new WaitTracker(stats, policy, frameNanos);
        // every frame start the FIFO can hold, with room to spare
        this.heard = new HeardDelay(fifo.capacity() / format.frameLength() + 4, nanosPerSample);
        this.scheduler =
                new PlayoutScheduler(format, maxDelayNanos, tuning, ring, fifo, timeline, stats, waits, policy, heard);
        this.admission = new Admission(ring, timeline, stats, waits, policy, scheduler, tuning.excludeHeld());
        this.unsequenced = new UnsequencedNumbering(frameNanos, format.samplesPerFrame());
    }

    /**
     * The controller's constants.
     *
     * @param deadbandNanos how far beyond one playout call too deep the deadline may be before cutting
     * @param maxEditNanos largest single cut or insertion while audio is loud
     * @param maxQuietEditNanos largest single cut or insertion while audio is quiet
     * @param allowance share of the playout call length added to the target offset
     * @param budget largest share of playing time inserted or removed, over any second
     * @param excludeHeld true to keep packets that arrive while the buffer waits on an underrun
     *     out of the target estimate: their delay was absorbed by waiting, not by the target
     */
    public record Tuning(
            long deadbandNanos,
            long maxEditNanos,
            long maxQuietEditNanos,
            double allowance,
            double budget,
            boolean excludeHeld) {
        /** TIP's defaults. */
        public static final Tuning DEFAULT = new Tuning(1_000_000L, 10_000_000L, 20_000_000L, 0.0, 0.075, true);
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
     * Returns the largest number of samples one playout call may ask for.
     *
     * @return {@code 2 * frameLength}
     */
    public int maxPlayoutLength() {
        return 2 * format.frameLength();
    }

    // ------------------------------------------------------------------ insert

    /**
     * Inserts a frame given as 16-bit samples.
     *
     * @param seq16 sequence number, 0..65535
     * @param ts32 timestamp, 0..2^32-1
     * @param marker first frame of a talk spurt
     * @param pcm samples
     * @param offset first sample
     * @param length number of samples (shorter frames are padded with silence)
     * @param arrivalNanos arrival time
     * @return {@link #INSERTED}, {@link #DUPLICATE}, {@link #LATE} or {@link #OUT_OF_RANGE}
     */
    public int insert(int seq16, long ts32, boolean marker, short[] pcm, int offset, int length, long arrivalNanos) {
        int slot = admission.admit(seq16 & 0xFFFF, ts32 & 0xFFFF_FFFFL, marker, arrivalNanos);
        if (slot < 0) {
            return -slot - 1;
        }
        ring.fill(slot, pcm, offset, length);
        return INSERTED;
    }

    /**
     * Inserts a frame given as signed 16-bit little-endian bytes.
     *
     * @param seq16 sequence number
     * @param ts32 timestamp
     * @param marker first frame of a talk spurt
     * @param bytes the payload; absolute indexes, position and order ignored
     * @param offset first byte
     * @param length number of bytes
     * @param arrivalNanos arrival time
     * @return as {@link #insert(int, long, boolean, short[], int, int, long)}
     */
    public int insert(
            int seq16, long ts32, boolean marker, ByteBuffer bytes, int offset, int length, long arrivalNanos) {
        int slot = admission.admit(seq16 & 0xFFFF, ts32 & 0xFFFF_FFFFL, marker, arrivalNanos);
        if (slot < 0) {
            return -slot - 1;
        }
        ring.fill(slot, bytes, offset, length);
        return INSERTED;
    }

    /**
     * Inserts a frame given as signed 16-bit little-endian bytes in an array.
     *
     * @param seq16 sequence number
     * @param ts32 timestamp
     * @param marker first frame of a talk spurt
     * @param bytes the payload
     * @param offset first byte
     * @param length number of bytes
     * @param arrivalNanos arrival time
     * @return as {@link #insert(int, long, boolean, short[], int, int, long)}
     */
    public int insert(int seq16, long ts32, boolean marker, byte[] bytes, int offset, int length, long arrivalNanos) {
        int slot = admission.admit(seq16 & 0xFFFF, ts32 & 0xFFFF_FFFFL, marker, arrivalNanos);
        if (slot < 0) {
            return -slot - 1;
        }
        ring.fill(slot, bytes, offset, length);
        return INSERTED;
    }

    /**
     * Numbers a frame of a stream without sequence numbers (the original dialect) in arrival
     * order. A pause in arrivals longer than four frames starts a new talk spurt whose timestamp
     * advances by the frames the pause lasted.
     *
     * @param arrivalNanos arrival time
     * @return the sequence number (low 16 bits) and, in the high 32 bits, the timestamp to insert with;
     *     decode with {@link #unsequencedSeq(long)}, {@link #unsequencedTs(long)},
     *     {@link #unsequencedMarker(long)}
     */
    public long numberUnsequenced(long arrivalNanos) {
        return unsequenced.next(arrivalNanos);
    }

    /**
     * Extracts the sequence number of {@link #numberUnsequenced(long)}'s result.
     *
     * @param numbered the result
     * @return the sequence number
     */
    public static int unsequencedSeq(long numbered) {
        return UnsequencedNumbering.seq(numbered);
    }

    /**
     * Extracts the marker of {@link #numberUnsequenced(long)}'s result.
     *
     * @param numbered the result
     * @return the marker
     */
    public static boolean unsequencedMarker(long numbered) {
        return UnsequencedNumbering.marker(numbered);
    }

    /**
     * Extracts the timestamp of {@link #numberUnsequenced(long)}'s result.
     *
     * @param numbered the result
     * @return the timestamp
     */
    public static long unsequencedTs(long numbered) {
        return UnsequencedNumbering.ts(numbered);
    }

    // ------------------------------------------------------------------ playout

    /**
     * Produces {@code length} samples of output for a playout call at {@code nowNanos}.
     *
     * @param nowNanos the time of the call: the deadline of every frame it needs
     * @param out receives the samples
     * @param offset first index written
     * @param length samples to write (interleaved), a multiple of the channel count, at most
     *     {@link #maxPlayoutLength()}
     * @return {@link #PLAYED_FRAME}, {@link #PLAYED_CONCEALMENT} or {@link #PLAYED_SILENCE}
     */
    public int playout(long nowNanos, short[] out, int offset, int length) {
        long realBefore = stats.played;
        long concealedBefore = stats.concealed;
        if (admission.started()) {
            scheduler.schedule(nowNanos, length);
        }
        if (fifo.length() < length) {
            fifo.appendSilence(length - fifo.length());
        }
        fifo.take(out, offset, length);
        heard.onTake(nowNanos, length / format.channels());
        if (stats.played != realBefore) {
            return PLAYED_FRAME;
        }
        if (stats.concealed != concealedBefore) {
            return PLAYED_CONCEALMENT;
        }
        return fifo.endsInSilence() ? PLAYED_SILENCE : PLAYED_FRAME;
    }

    // ------------------------------------------------------------------ stats

    /**
     * Returns a snapshot of the counters.
     *
     * @return the statistics
     */
    public JitterBufferStats stats() {
        long target = admission.started() ? Math.max(0, policy.targetNanos() - policy.floorNanos()) : 0;
        return stats.snapshot(target, nanosPerSample, heard);
    }

    /**
     * Returns a percentile of the buffering delay of played frames.
     *
     * @param q the quantile, 0..1
     * @return the delay at that quantile (upper edge of its 0.5 ms bucket)
     */
    public long percentileDelay(double q) {
        return stats.percentileDelay(q);
    }

    /**
     * Returns the mean acoustic delay of played frames: from a frame's arrival to the moment its
     * first sample leaves the buffer for the sink (the playout call that outputs it, plus its
     * position in that call's output), after every cut, stretch and sample left waiting in the
     * output FIFO. Unlike {@link #stats()}'s delays, which are taken at the call that moves the
     * frame into the FIFO.
     *
     * @return nanoseconds, 0 before any frame was heard
     */
    public long heardMeanDelayNanos() {
        return heard.meanNanos();
    }

    /**
     * Returns a percentile of the acoustic delay (see {@link #heardMeanDelayNanos()}).
     *
     * @param q the quantile, 0..1
     * @return the delay at that quantile (upper edge of its 0.5 ms bucket)
     */
    public long heardPercentileDelay(double q) {
        return heard.percentileNanos(q);
    }

    /**
     * Returns the acoustic delay of the last frame whose first sample left the buffer.
     *
     * @return nanoseconds
     */
    public long heardCurrentDelayNanos() {
        return heard.currentNanos();
    }

    /**
     * Returns the sum of the acoustic delays of frames heard so far.
     *
     * @return nanoseconds
     */
    public long heardDelaySumNanos() {
        return heard.sumNanos();
    }

    /**
     * Returns how many frames' first samples have left the buffer.
     *
     * @return the count
     */
    public long heardCount() {
        return heard.count();
    }

    /**
     * Returns packets that arrived after their playout time.
     *
     * @return the late count
     */
    public long late() {
        return stats.late;
    }

    /**
     * Returns frames played from received packets.
     *
     * @return the played count
     */
    public long played() {
        return stats.played;
    }

    /**
     * Returns the buffering delay of the last frame played.
     *
     * @return nanoseconds
     */
    public long currentDelayNanos() {
        return stats.currentDelayNanos();
    }

    /**
     * Returns the total audio inserted or removed to steer the delay, in samples per channel.
     *
     * @return the adjusted sample count
     */
    public long adjustedSamples() {
        return stats.adjustedSamples;
    }

    /**
     * Returns the sum of the buffering delays of played frames.
     *
     * @return nanoseconds
     */
    public long delaySumNanos() {
        return stats.delaySumNanos();
    }
}
