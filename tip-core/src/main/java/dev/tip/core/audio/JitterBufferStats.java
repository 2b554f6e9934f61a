package dev.tip.core.audio;

import java.time.Duration;

/**
 * A snapshot of one {@link JitterBuffer}'s counters and delays since it was created. Immutable
 * and thread-safe.
 *
 * <p>Delays are buffering delays: the time from a packet's arrival to the playout call that needed
 * it (its deadline). Counters count frames (one datagram carries one frame).
 *
 * @param currentDelayNanos buffering delay of the last frame played
 * @param targetDelayNanos the delay the buffer is steering to, above the fastest recent packet
 * @param meanDelayNanos mean buffering delay over every frame played
 * @param p95DelayNanos 95th percentile of the buffering delay (0.5 ms resolution)
 * @param played frames played from received packets
 * @param concealed frames filled by loss concealment
 * @param missing frames whose packet had not arrived at their playout time
 * @param late packets that arrived after their playout time (dropped)
 * @param duplicates packets received again after the first copy (dropped)
 * @param adjustments delay changes made by stretching or shortening the audio
 * @param adjustedNanos total audio time inserted or removed by those adjustments
 * @param waits frames of concealment inserted while the buffer was empty, waiting for a late
 *     packet rather than skipping it (a delay spike); included in {@code concealed}
 * @param overflowDropped frames dropped because the delay would have exceeded its maximum
 * @param restarts times the sender was seen to restart its sequence numbers
 * @param heardFrames frames whose first sample has left the buffer for the sink
 * @param heardDelaySumNanos sum of those frames' acoustic delays: from a frame's arrival to the
 *     moment its first sample leaves the buffer for the sink, after every cut, stretch and sample
 *     left waiting between playout calls (what the buffer adds to mouth-to-ear delay; the
 *     buffering delays above are taken at the playout call that needs the frame); a sum, so that
 *     two snapshots give the mean over the time between them
 * @param heardP95DelayNanos 95th percentile of the acoustic delay (0.5 ms resolution)
 */
public record JitterBufferStats(
        long currentDelayNanos,
        long targetDelayNanos,
        long meanDelayNanos,
        long p95DelayNanos,
        long played,
        long concealed,
        long missing,
        long late,
        long duplicates,
        long adjustments,
        long adjustedNanos,
        long waits,
        long overflowDropped,
        long restarts,
        long heardFrames,
        long heardDelaySumNanos,
        long heardP95DelayNanos) {

    /**
     * Returns the buffering delay of the last frame played.
     *
     * @return the current delay
     */
    public Duration currentDelay() {
        return Duration.ofNanos(currentDelayNanos);
    }

    /**
     * Returns the delay the buffer is steering to.
     *
     * @return the target delay
     */
    public Duration targetDelay() {
        return Duration.ofNanos(targetDelayNanos);
    }

    /**
     * Returns the mean acoustic delay (see {@code heardDelaySumNanos}).
     *
     * @return nanoseconds from arrival to the sink, 0 before any frame was heard
     */
    public long heardMeanDelayNanos() {
        return heardFrames == 0 ? 0 : heardDelaySumNanos / heardFrames;
    }

    /**
     * Returns the mean acoustic delay (see {@code heardDelaySumNanos}).
     *
     * @return the mean delay from arrival to the sink
     */
    public Duration heardMeanDelay() {
        return Duration.ofNanos(heardMeanDelayNanos());
    }

    /**
     * Returns concealed frames over all frames produced (played plus concealed).
     *
     * @return 0..1
     */
    public double concealmentRatio() {
        long all = played + concealed;
        return all == 0 ? 0 : concealed / (double) all;
    }
}
