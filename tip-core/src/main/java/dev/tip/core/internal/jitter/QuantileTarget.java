package dev.tip.core.internal.jitter;

import dev.tip.core.audio.DelayEstimator;

/**
 * TIP's target policy: a high quantile of the relative delays over a sliding window of recent
 * packets, plus a margin. It rises at once (a delay above the target recomputes it on arrival)
 * and falls slowly (the window must forget high delays first). The sender's clock drift makes
 * relative delays slide; the policy estimates that slope from the minima of 2 s blocks over the
 * last minute (Theil-Sen: the median of pairwise slopes, robust to spikes; clamped to 1000 ppm,
 * so that a route change cannot pass for drift) and projects every remembered delay to the
 * present before taking the quantile. Allocates nothing after construction. Not thread-safe:
 * confined to the engine.
 */
public final class QuantileTarget implements DelayEstimator {

    private static final long BLOCK_NANOS = 2_000_000_000L;
    private static final int BLOCKS = 30;
    private static final double MAX_SLOPE = 1e-3;
    private static final int STARTUP_PACKETS = 50;

    private final long[] window;
    private final long[] times;
    private final long[] scratch;
    private final double quantile;
    private final long marginNanos;
    private final long initialNanos;
    private long seen;
    private int size;
    private int count;
    private int next;
    private long target;
    private long floor;
    private boolean dirty;
    private long latest;

    private final long[] blockMin = new long[BLOCKS];
    private final long[] blockTime = new long[BLOCKS];
    private final double[] slopes = new double[BLOCKS * (BLOCKS - 1) / 2];
    private int blocks;
    private int blockNext;
    private long blockStart = Long.MIN_VALUE;
    private long currentMin = Long.MAX_VALUE;
    private double slope;

    /**
     * Creates the policy.
     *
     * @param windowPackets how many recent packets the quantile looks at
     * @param quantile the quantile, for example 0.99
     * @param marginNanos added to the quantile
     * @param initialNanos the least target above the fastest packet until 50 packets are known
     */
    public QuantileTarget(int windowPackets, double quantile, long marginNanos, long initialNanos) {
        this.initialNanos = initialNanos;
        this.window = new long[windowPackets];
        this.times = new long[windowPackets];
        this.scratch = new long[windowPackets];
        this.size = windowPackets;
        this.quantile = quantile;
        this.marginNanos = marginNanos;
    }

    /**
     * Shortens the window, forgetting what it held: for streams whose relative delays jump at
     * every loss (no sequence numbers), a short memory adapts faster.
     *
     * @param packets the new window, at most the constructed one
     */
    public void limitWindow(int packets) {
        size = Math.max(1, Math.min(packets, window.length));
        count = 0;
        next = 0;
        dirty = false;
    }

    /**
     * Returns the estimated drift of the relative delays.
     *
     * @return nanoseconds of delay per nanosecond of time (1e-6 is 1 ppm)
     */
    public double slope() {
        return slope;
    }

    @Override
    public void onArrival(long arrivalNanos, long relativeDelayNanos) {
        window[next] = relativeDelayNanos;
        times[next] = arrivalNanos;
        next = (next + 1) % size;
        if (count < size) {
            count++;
        }
        latest = Math.max(latest, arrivalNanos);
        seen++;
        trackDrift(arrivalNanos, relativeDelayNanos);
        if (count == 1 || relativeDelayNanos > target - marginNanos) {
            recompute();
        } else {
            dirty = true;
        }
    }

    @Override
    public long targetNanos() {
        if (dirty) {
            recompute();
        }
        return target;
    }

    @Override
    public long floorNanos() {
        if (dirty) {
            recompute();
        }
        return floor;
    }

    @Override
    public void shift(long deltaNanos) {
        for (int i = 0; i < count; i++) {
            window[i] += deltaNanos;
        }
        for (int i = 0; i < blocks; i++) {
            blockMin[i] += deltaNanos;
        }
        if (currentMin != Long.MAX_VALUE) {
            currentMin += deltaNanos;
        }
        target += deltaNanos;
        floor += deltaNanos;
    }

    private void recompute() {
        dirty = false;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            long projected = window[i] + Math.round(slope * (latest - times[i]));
            scratch[i] = projected;
            min = Math.min(min, projected);
        }
        int k = (int) Math.min(count - 1, Math.floor(quantile * count));
        target = select(scratch, count, k) + marginNanos;
        floor = min;
        if (seen < STARTUP_PACKETS) {
            // too few packets to know the jitter: keep a prudent delay until the history fills
            target = Math.max(target, floor + initialNanos);
        }
    }

    private void trackDrift(long arrival, long relative) {
        if (blockStart == Long.MIN_VALUE) {
            blockStart = arrival;
        }
        if (arrival - blockStart >= BLOCK_NANOS) {
            if (currentMin != Long.MAX_VALUE) {
                blockMin[blockNext] = currentMin;
                blockTime[blockNext] = blockStart + BLOCK_NANOS / 2;
                blockNext = (blockNext + 1) % BLOCKS;
                blocks = Math.min(BLOCKS, blocks + 1);
                estimateSlope();
            }
            blockStart = arrival - (arrival - blockStart) % BLOCK_NANOS;
            currentMin = Long.MAX_VALUE;
        }
        currentMin = Math.min(currentMin, relative);
    }

    private void estimateSlope() {
        if (blocks < 5) {
            return;
        }
        int n = 0;
        for (int i = 0; i < blocks; i++) {
            for (int j = i + 1; j < blocks; j++) {
                long dt = blockTime[j] - blockTime[i];
                if (dt != 0) {
                    slopes[n++] = (blockMin[j] - blockMin[i]) / (double) dt;
                }
            }
        }
        if (n == 0) {
            return;
        }
        double median = selectDouble(slopes, n, n / 2);
        slope = Math.max(-MAX_SLOPE, Math.min(MAX_SLOPE, median));
    }

    /** Quickselect: the k-th smallest of a[0..n), reordering a. No allocation. */
    static long select(long[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (hi > lo) {
            long pivot = median3(a[lo], a[(lo + hi) >>> 1], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static double selectDouble(double[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (hi > lo) {
            double x = a[lo];
            double y = a[(lo + hi) >>> 1];
            double z = a[hi];
            double pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static long median3(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
