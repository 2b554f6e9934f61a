package dev.tip.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition with a generous deadline, polling every 2 ms: tests wait on what they
 * expect, never for a fixed time. Stateless; thread-safe.
 *
 * <pre>{@code
 * Await.until("the roster to show bob", () -> client.roster().size() == 2);
 * }</pre>
 */
public final class Await {

    /** The deadline when none is given: long enough for a loaded 2-core machine. */
    public static final Duration DEFAULT = Duration.ofSeconds(30);

    private Await() {}

    /**
     * Waits up to {@link #DEFAULT} for a condition.
     *
     * @param what what is awaited, for the failure message
     * @param condition the condition
     * @throws AssertionError if it does not come in time
     */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT, condition);
    }

    /**
     * Waits up to {@code timeout} for a condition.
     *
     * @param what what is awaited, for the failure message
     * @param timeout the deadline
     * @param condition the condition
     * @throws AssertionError if it does not come in time
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        if (!within(timeout, condition)) {
            throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
        }
    }

    /**
     * Waits up to {@code timeout} for a condition and tells whether it came (no assertion).
     *
     * @param timeout the deadline
     * @param condition the condition
     * @return true if the condition held before the deadline
     */
    public static boolean within(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(2_000_000);
        }
        return true;
    }
}
