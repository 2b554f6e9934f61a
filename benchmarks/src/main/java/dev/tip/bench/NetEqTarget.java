package dev.tip.bench;

import dev.tip.core.audio.DelayEstimator;

/**
 * Baseline B1 of docs/jitter-buffer evaluation: a NetEq-style target written from its published
 * description. Each packet's relative delay is measured against the fastest packet of the last
 * 2 s; the largest relative delay of every 500 ms goes into a histogram of 20 ms buckets with a
 * forgetting factor of 0.983; the target is the upper edge of the bucket holding the 0.95
 * quantile, above the fastest packet. Not thread-safe: confined to the engine.
 */
final class NetEqTarget implements DelayEstimator {

    private static final long BUCKET = 20_000_000L;
    private static final long INTERVAL = 500_000_000L;
    private static final long MIN_WINDOW = 2_000_000_000L;
    private static final double FORGET = 0.983;
    private static final double QUANTILE = 0.95;

    private final double[] histogram = new double[100];
    private final long[] recentArrival = new long[512];
    private final long[] recentDelay = new long[512];
    private int recentStart;
    private int recentCount;
    private long intervalStart = Long.MIN_VALUE;
    private long intervalMax = -1;
    private long floor;
    private long targetAboveFloor = BUCKET;

    NetEqTarget() {
        histogram[0] = 1;
    }

    @Override
    public void onArrival(long arrivalNanos, long relativeDelayNanos) {
        // the fastest packet of the last 2 s
        while (recentCount > 0 && recentArrival[recentStart] < arrivalNanos - MIN_WINDOW) {
            recentStart = (recentStart + 1) % recentArrival.length;
            recentCount--;
        }
        if (recentCount == recentArrival.length) {
            recentStart = (recentStart + 1) % recentArrival.length;
            recentCount--;
        }
        int at = (recentStart + recentCount) % recentArrival.length;
        recentArrival[at] = arrivalNanos;
        recentDelay[at] = relativeDelayNanos;
        recentCount++;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < recentCount; i++) {
            min = Math.min(min, recentDelay[(recentStart + i) % recentDelay.length]);
        }
        floor = min;

        if (intervalStart == Long.MIN_VALUE) {
            intervalStart = arrivalNanos;
        }
        while (arrivalNanos >= intervalStart + INTERVAL) {
            if (intervalMax >= 0) {
                addToHistogram(intervalMax);
            }
            intervalMax = -1;
            intervalStart += INTERVAL;
        }
        intervalMax = Math.max(intervalMax, relativeDelayNanos - floor);
    }

    private void addToHistogram(long relative) {
        int bucket = (int) Math.min(histogram.length - 1, relative / BUCKET);
        for (int i = 0; i < histogram.length; i++) {
            histogram[i] *= FORGET;
        }
        histogram[bucket] += 1 - FORGET;
        double total = 0;
        for (double h : histogram) {
            total += h;
        }
        double seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= QUANTILE * total) {
                targetAboveFloor = (i + 1) * BUCKET;
                return;
            }
        }
        targetAboveFloor = histogram.length * BUCKET;
    }

    @Override
    public long targetNanos() {
        return floor + targetAboveFloor;
    }

    @Override
    public long floorNanos() {
        return floor;
    }

    @Override
    public void shift(long deltaNanos) {
        for (int i = 0; i < recentDelay.length; i++) {
            recentDelay[i] += deltaNanos;
        }
        floor += deltaNanos;
    }
}
