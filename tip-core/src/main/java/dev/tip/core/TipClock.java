package dev.tip.core;

import dev.tip.core.internal.SystemClock;

/**
 * The time source that paces voice frames: a monotonic nanosecond clock that can also wait. Tests
 * and simulations inject a virtual clock. Implementations must be thread-safe.
 *
 * <pre>{@code
 * TipClock clock = TipClock.system();
 * long next = clock.nanoTime() + 25_600_000L;
 * clock.sleepUntil(next);
 * }</pre>
 */
public interface TipClock {

    /**
     * Returns the current time in nanoseconds; only differences are meaningful.
     *
     * @return the time, monotonic
     */
    long nanoTime();

    /**
     * Returns when {@link #nanoTime()} has reached {@code deadline}, at once if it already has.
     *
     * @param deadline the time to wait for, on this clock
     * @throws InterruptedException if the waiting thread is interrupted
     */
    void sleepUntil(long deadline) throws InterruptedException;

    /**
     * Returns the clock of this machine ({@link System#nanoTime()}).
     *
     * @return the system clock
     */
    static TipClock system() {
        return SystemClock.INSTANCE;
    }
}
