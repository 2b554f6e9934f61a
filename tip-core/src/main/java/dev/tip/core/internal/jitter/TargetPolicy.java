package dev.tip.core.internal.jitter;

/**
 * Decides the playout offset from the relative delays of arriving packets. Confined to the
 * engine's caller (the engine holds its lock while calling).
 *
 * <p>A relative delay is {@code arrival - expected(timestamp)}: the one-way delay plus an unknown
 * constant, drifting if the sender's clock does. The target is an offset in the same units: a
 * frame whose relative delay is above it arrives too late.
 */
public interface TargetPolicy {

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
     * Shifts every remembered delay by {@code delta}, after the engine re-based its time reference
     * (a sender restart).
     *
     * @param deltaNanos the shift
     */
    void shift(long deltaNanos);
}
