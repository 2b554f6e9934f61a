package dev.tip.gui;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sleeps until the next frame is due on the system's monotonic clock, so that a source or sink
 * without a clock of its own runs at real time. After a stall of more than a few frames it starts
 * again from now instead of catching up in a burst. Confined to one thread, except
 * {@link #reset()}, which may be called from any thread.
 */
final class FramePacer {
    private static final int MAX_LAG_FRAMES = 8;

    private final long frameNanos;
    private long next; // confined to the pacing thread
    private volatile boolean reset = true;

    FramePacer(long frameNanos) {
        this.frameNanos = frameNanos;
    }

    /** Starts again from now at the next call. */
    void reset() {
        reset = true;
    }

    /** Waits until the next frame is due. */
    void awaitNext() {
        awaitNext(frameNanos);
    }

    /**
     * Waits until the next part of a frame is due, {@code periodNanos} after the previous one.
     *
     * @param periodNanos the duration of the part just written
     */
    void awaitNext(long periodNanos) {
        long now = System.nanoTime();
        if (reset || now - next > MAX_LAG_FRAMES * frameNanos) {
            reset = false;
            next = now;
        }
        next += periodNanos;
        long wait;
        while ((wait = next - System.nanoTime()) > 0) {
            LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }
}
