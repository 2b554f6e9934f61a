package dev.tip.core.internal;

import dev.tip.core.TipClock;
import dev.tip.core.voice.AudioFormat;

/**
 * Paces frames on absolute deadlines, {@code start + k * frameDuration}, computed exactly (the
 * fraction of a nanosecond is carried), so that rounding and late wake-ups never accumulate into
 * drift. A caller that falls more than {@code maxLagFrames} behind (a long GC pause, a suspended
 * laptop) does not burst to catch up: the schedule restarts from now. Confined to one thread.
 */
public final class FramePacer {
    private final TipClock clock;
    private final long wholeNanos;
    private final long remainderNumerator;
    private final long denominator;
    private final long maxLagNanos;
    private long deadline;
    private long carry;
    private boolean started;
    private long restarts;

    /**
     * Creates a pacer for frames of a format.
     *
     * @param clock the time source
     * @param format the frames' format (rate and samples per frame give the period)
     * @param maxLagFrames how many frames behind the schedule may fall before it restarts, at least 1
     */
    public FramePacer(TipClock clock, AudioFormat format, int maxLagFrames) {
        if (maxLagFrames < 1) {
            throw new IllegalArgumentException("maxLagFrames must be at least 1, was " + maxLagFrames);
        }
        this.clock = clock;
        long numerator = format.samplesPerFrame() * 1_000_000_000L;
        this.denominator = format.sampleRate();
        this.wholeNanos = numerator / denominator;
        this.remainderNumerator = numerator % denominator;
        this.maxLagNanos = maxLagFrames * (wholeNanos + 1);
    }

    /**
     * Waits for the next deadline. The first call returns at once and starts the schedule.
     *
     * @return the deadline just reached, on the pacer's clock
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public long awaitNext() throws InterruptedException {
        if (!started) {
            started = true;
            deadline = clock.nanoTime();
            return deadline;
        }
        deadline += wholeNanos;
        carry += remainderNumerator;
        if (carry >= denominator) {
            carry -= denominator;
            deadline++;
        }
        long now = clock.nanoTime();
        if (now - deadline > maxLagNanos) {
            restarts++;
            deadline = now;
            carry = 0;
            return deadline;
        }
        clock.sleepUntil(deadline);
        return deadline;
    }

    /**
     * Returns how often the schedule restarted because the caller fell too far behind.
     *
     * @return restarts
     */
    public long restarts() {
        return restarts;
    }
}
