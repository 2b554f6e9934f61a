package dev.tip.core.internal.jitter;

/**
 * The acoustic delay of played frames, as JITTER-EVALUATION.md defines the buffering delay: the
 * time a frame's first sample leaves the buffer for the sink (the time of the playout call that
 * outputs it, plus its position in that call's output) minus the frame's arrival. Follows each
 * frame's first sample through the {@link SampleFifo}: appended at the back, moved by every cut
 * and stretch at the front, and output by a playout call. The engine's other delay figure is taken
 * when a frame enters the FIFO and misses what waits there. Fixed capacity, allocates nothing
 * after construction. Not thread-safe: confined to the engine.
 */
final class HeardDelay {

    /** Delay histogram resolution, as {@link PlayoutStats#BUCKET_NANOS}. */
    static final long BUCKET_NANOS = PlayoutStats.BUCKET_NANOS;
    /** Delay histogram range, as {@link PlayoutStats#BUCKETS}. */
    static final int BUCKETS = PlayoutStats.BUCKETS;

    private final double nanosPerSample;
    private final long[] arrival;
    private final int[] position;
    private int tags;

    private long count;
    private long sum;
    private long current;
    private final int[] histogram = new int[BUCKETS];

    /**
     * Creates a tracker for a FIFO that never holds more than {@code maxFrames} frame starts.
     *
     * @param maxFrames most frames whose first sample waits in the FIFO at once
     * @param nanosPerSample duration of one sample per channel
     */
    HeardDelay(int maxFrames, double nanosPerSample) {
        this.arrival = new long[maxFrames];
        this.position = new int[maxFrames];
        this.nanosPerSample = nanosPerSample;
    }

    /**
     * Records a frame appended to the FIFO.
     *
     * @param arrivalNanos the frame's arrival
     * @param at where its first sample is in the FIFO, in samples per channel
     */
    void onAppend(long arrivalNanos, int at) {
        if (tags == arrival.length) {
            // cannot happen with a FIFO of the engine's size; keep the newest rather than fail
            drop(0);
        }
        arrival[tags] = arrivalNanos;
        position[tags] = at;
        tags++;
    }

    /**
     * Records {@code s} samples per channel cut at the front: what followed moves forward, a first
     * sample that was cut is replaced by the frame's first sample left, now at the front.
     *
     * @param s samples per channel removed
     */
    void onShrink(int s) {
        for (int i = 0; i < tags; i++) {
            position[i] = Math.max(0, position[i] - s);
        }
    }

    /**
     * Records {@code s} samples per channel repeated at the front: every frame's first sample is
     * heard {@code s} samples later.
     *
     * @param s samples per channel inserted
     */
    void onGrow(int s) {
        for (int i = 0; i < tags; i++) {
            position[i] += s;
        }
    }

    /**
     * Records a playout call that outputs the first {@code n} samples per channel at {@code now}:
     * each first sample among them leaves now plus its position in the output.
     *
     * @param nowNanos the time of the playout call
     * @param n samples per channel output
     */
    void onTake(long nowNanos, int n) {
        int i = 0;
        while (i < tags) {
            if (position[i] < n) {
                record(nowNanos + Math.round(position[i] * nanosPerSample) - arrival[i]);
                drop(i);
            } else {
                position[i] -= n;
                i++;
            }
        }
    }

    private void drop(int i) {
        tags--;
        System.arraycopy(arrival, i + 1, arrival, i, tags - i);
        System.arraycopy(position, i + 1, position, i, tags - i);
    }

    private void record(long delayNanos) {
        current = delayNanos;
        sum += delayNanos;
        count++;
        histogram[(int) Math.max(0, Math.min(BUCKETS - 1, delayNanos / BUCKET_NANOS))]++;
    }

    /**
     * Returns how many frames' first samples have left the buffer.
     *
     * @return the count
     */
    long count() {
        return count;
    }

    /**
     * Returns the sum of their acoustic delays.
     *
     * @return nanoseconds
     */
    long sumNanos() {
        return sum;
    }

    /**
     * Returns the acoustic delay of the last frame whose first sample left the buffer.
     *
     * @return nanoseconds
     */
    long currentNanos() {
        return current;
    }

    /**
     * Returns the mean acoustic delay.
     *
     * @return nanoseconds, 0 before any frame
     */
    long meanNanos() {
        return count == 0 ? 0 : sum / count;
    }

    /**
     * Returns a percentile of the acoustic delay.
     *
     * @param q the quantile, 0..1
     * @return the delay at that quantile (upper edge of its 0.5 ms bucket), 0 before any frame
     */
    long percentileNanos(double q) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * count));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += histogram[i];
            if (seen >= rank) {
                return (i + 1) * BUCKET_NANOS;
            }
        }
        return BUCKETS * BUCKET_NANOS;
    }
}
