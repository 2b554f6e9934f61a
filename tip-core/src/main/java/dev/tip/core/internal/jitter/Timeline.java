package dev.tip.core.internal.jitter;

import dev.tip.core.audio.DelayEstimator;

/**
 * Maps a stream's timestamps to the receiver's clock: the expected arrival time of a timestamp is
 * the base time plus the samples since the base timestamp. A packet's relative delay (what the
 * {@link DelayEstimator} learns from) is its arrival minus that expectation, and a frame's playout
 * deadline is measured against it. Not thread-safe: confined to the engine.
 */
final class Timeline {

    private final double nanosPerSample;
    private long tsBase;
    private long timeBase;

    /**
     * Creates a time line based at timestamp 0, time 0.
     *
     * @param nanosPerSample the duration of one timestamp unit (one sample per channel)
     */
    Timeline(double nanosPerSample) {
        this.nanosPerSample = nanosPerSample;
    }

    /**
     * Sets the base: {@code ts} is expected at {@code timeNanos}.
     *
     * @param ts an extended timestamp
     * @param timeNanos the time it is expected at
     */
    void rebase(long ts, long timeNanos) {
        tsBase = ts;
        timeBase = timeNanos;
    }

    /**
     * Returns the time a timestamp is expected at.
     *
     * @param extTs an extended timestamp
     * @return the expected time, in nanoseconds
     */
    long expected(long extTs) {
        return timeBase + Math.round((extTs - tsBase) * nanosPerSample);
    }
}
