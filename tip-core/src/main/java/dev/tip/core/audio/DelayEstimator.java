package dev.tip.core.audio;

/**
 * Decides how long a {@link JitterBuffer} holds audio, from the relative delays of arriving
 * packets: the buffer's delay estimator. The default is a high quantile over a sliding window
 * ({@link JitterBuffer.Builder#targetLateLoss}, {@link JitterBuffer.Builder#history}); supply
 * another through {@link JitterBuffer.Builder#delayEstimator} to compare estimators on the same
 * playout machinery (the jitter evaluation's NetEq-style baseline is one) or to tune for a
 * network you know.
 *
 * <p>A relative delay is {@code arrival - expected(timestamp)}: the one-way delay plus an unknown
 * constant, drifting if the sender's clock does. The target is an offset in the same units: a
 * frame whose relative delay is above it arrives too late. All values are nanoseconds.
 *
 * <p>Threading: each buffer owns its estimator and calls it while holding the buffer's lock, so an
 * implementation needs no synchronisation of its own but must not be shared between buffers.
 * Calls come once per arriving packet and once per playout call: an implementation should not
 * allocate.
 */
public interface DelayEstimator {

    /**
     * Records one packet's arrival.
     *
     * @param arrivalNanos arrival time
     * @param relativeDelayNanos its relative delay
     */
    void onArrival(long arrivalNanos, long relativeDelayNanos);

    /**
     * Returns the target offset.
     *
     * @return the offset in relative-delay units; meaningless before the first arrival
     */
    long targetNanos();

    /**
     * Returns the smallest recent relative delay (the fastest packet), the zero of the buffering
     * delay reported as the target.
     *
     * @return the floor of recent relative delays
     */
    long floorNanos();

    /**
     * Shifts every remembered delay by {@code delta}, after the buffer re-based its time reference
     * (a sender restart).
     *
     * @param deltaNanos the shift
     */
    void shift(long deltaNanos);
}
