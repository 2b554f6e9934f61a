package dev.tip.core.internal.jitter;

import dev.tip.core.audio.JitterBufferStats;

/**
 * The engine's counters and its histogram of the buffering delay of played frames, turned into a
 * {@link JitterBufferStats} snapshot on request. The counters are plain fields that the engine's
 * parts increment (and, where a wait turns out to have been a loss or a pause, decrement) in
 * place; nothing here allocates except {@link #snapshot}. Not thread-safe: confined to the engine.
 */
final class PlayoutStats {

    /** Delay histogram resolution. */
    static final long BUCKET_NANOS = 500_000L;
    /** Delay histogram range: the last bucket holds every delay of four seconds or more. */
    static final int BUCKETS = 8001;

    /** Frames played from received packets. */
    long played;
    /** Frames of concealment played. */
    long concealed;
    /** Sequence numbers skipped because their frame never came in time. */
    long missing;
    /** Packets that arrived after their playout time. */
    long late;
    /** Copies of frames already stored or played. */
    long duplicates;
    /** Cuts and insertions that steered the delay. */
    long adjustments;
    /** Samples per channel cut or inserted by those adjustments. */
    long adjustedSamples;
    /** Frames dropped because they waited longer than the maximum delay. */
    long overflowDropped;
    /** Frames of concealment played while waiting for a late packet. */
    long waits;
    /** Sender restarts (new numbering) followed. */
    long restarts;

    private long delaySum;
    private long currentDelay;
    private final int[] delayHistogram = new int[BUCKETS];

    /**
     * Records a frame played from a received packet.
     *
     * @param delayNanos how long it waited in the buffer
     */
    void recordPlayed(long delayNanos) {
        currentDelay = delayNanos;
        delaySum += delayNanos;
        delayHistogram[(int) Math.max(0, Math.min(BUCKETS - 1, delayNanos / BUCKET_NANOS))]++;
        played++;
    }

    /**
     * Returns a percentile of the buffering delay of played frames.
     *
     * @param q the quantile, 0..1
     * @return the delay at that quantile (upper edge of its 0.5 ms bucket), 0 before any frame
     */
    long percentileDelay(double q) {
        if (played == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * played);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += delayHistogram[i];
            if (seen >= rank) {
                return (i + 1) * BUCKET_NANOS;
            }
        }
        return BUCKETS * BUCKET_NANOS;
    }

    /**
     * Returns the buffering delay of the last frame played.
     *
     * @return nanoseconds
     */
    long currentDelayNanos() {
        return currentDelay;
    }

    /**
     * Returns the sum of the buffering delays of played frames.
     *
     * @return nanoseconds
     */
    long delaySumNanos() {
        return delaySum;
    }

    /**
     * Returns a snapshot of the counters.
     *
     * @param targetNanos the target buffering delay to report
     * @param nanosPerSample the duration of one sample per channel, to report adjusted time
     * @param heard the acoustic delays
     * @return the statistics
     */
    JitterBufferStats snapshot(long targetNanos, double nanosPerSample, HeardDelay heard) {
        return new JitterBufferStats(
                currentDelay,
                targetNanos,
                played == 0 ? 0 : delaySum / played,
                percentileDelay(0.95),
                played,
                concealed,
                missing,
                late,
                duplicates,
                adjustments,
                Math.round(adjustedSamples * nanosPerSample),
                waits,
                overflowDropped,
                restarts,
                heard.count(),
                heard.sumNanos(),
                heard.percentileNanos(0.95));
    }
}
