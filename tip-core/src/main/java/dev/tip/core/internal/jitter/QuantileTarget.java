package dev.tip.core.internal.jitter;

/**
 * TIP's target policy: a high quantile of the relative delays over a sliding window of recent
 * packets, plus a safety margin; fast to rise (a new delay above the target raises it at once to
 * the window's quantile, recomputed on every arrival), slow to fall (the window must forget the
 * high delays first). Allocates nothing after construction. Not thread-safe: confined to the engine.
 */
public final class QuantileTarget implements TargetPolicy {

    private final long[] window;
    private final long[] scratch;
    private final double quantile;
    private final long marginNanos;
    private int size;
    private int count;
    private int next;
    private long target;
    private long floor;
    private boolean dirty;

    /**
     * Creates the policy.
     *
     * @param windowPackets how many recent packets the quantile looks at
     * @param quantile the quantile, for example 0.99
     * @param marginNanos added to the quantile
     */
    public QuantileTarget(int windowPackets, double quantile, long marginNanos) {
        this.window = new long[windowPackets];
        this.scratch = new long[windowPackets];
        this.size = windowPackets;
        this.quantile = quantile;
        this.marginNanos = marginNanos;
    }

    @Override
    public void onArrival(long arrivalNanos, long relativeDelayNanos) {
        window[next] = relativeDelayNanos;
        next = (next + 1) % size;
        if (count < size) {
            count++;
        }
        if (count == 1 || relativeDelayNanos > target - marginNanos) {
            recompute();
        } else {
            dirty = true;
        }
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
        target += deltaNanos;
        floor += deltaNanos;
    }

    private void recompute() {
        dirty = false;
        System.arraycopy(window, 0, scratch, 0, count);
        int k = (int) Math.min(count - 1, Math.floor(quantile * count));
        target = select(scratch, count, k) + marginNanos;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            min = Math.min(min, window[i]);
        }
        floor = min;
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

    private static long median3(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
