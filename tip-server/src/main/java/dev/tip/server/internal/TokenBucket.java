package dev.tip.server.internal;

/**
 * A token bucket: up to {@code burst} events at once, then one per {@code intervalMicros}. Used
 * for every per-member and per-address limit (renames, CLIENT_PORT changes, voice datagrams, log
 * lines). Allocates nothing; the time comes from the caller, so it is pure and tests drive it with
 * made-up times.
 *
 * <p>Threading: confined to the thread of its owner (not thread-safe).
 */
final class TokenBucket {

    private final long intervalMicros;
    private final long capacityMicros;
    private long creditMicros;
    private long lastMillis;
    private boolean started;

    /**
     * Creates a full bucket.
     *
     * @param burst most events at once, at least 1
     * @param intervalMicros time that earns one more event, at least 1
     */
    TokenBucket(int burst, long intervalMicros) {
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be positive, was " + burst);
        }
        if (intervalMicros < 1) {
            throw new IllegalArgumentException("intervalMicros must be positive, was " + intervalMicros);
        }
        this.intervalMicros = intervalMicros;
        this.capacityMicros = burst * intervalMicros;
        this.creditMicros = capacityMicros;
    }

    /**
     * A bucket of {@code perMinute} events, refilled over a minute.
     *
     * @param perMinute most events per minute, and the burst
     * @return the bucket
     */
    static TokenBucket perMinute(int perMinute) {
        return new TokenBucket(perMinute, 60_000_000L / perMinute);
    }

    /**
     * A bucket of {@code perSecond} events, refilled over a second.
     *
     * @param perSecond most events per second, and the burst
     * @return the bucket
     */
    static TokenBucket perSecond(int perSecond) {
        return new TokenBucket(perSecond, Math.max(1, 1_000_000L / perSecond));
    }

    /**
     * Takes one token if there is one.
     *
     * @param nowMillis the time now, in milliseconds (any origin, never going back)
     * @return true if the event may happen
     */
    boolean tryTake(long nowMillis) {
        refill(nowMillis);
        if (creditMicros >= intervalMicros) {
            creditMicros -= intervalMicros;
            return true;
        }
        return false;
    }

    /**
     * True if a token is there now (takes none).
     *
     * @param nowMillis the time now
     * @return whether {@link #tryTake} would succeed
     */
    boolean available(long nowMillis) {
        refill(nowMillis);
        return creditMicros >= intervalMicros;
    }

    /**
     * True if the bucket is full at {@code nowMillis}: its owner has been quiet long enough to
     * be forgotten.
     *
     * @param nowMillis the time now
     * @return whether it is full
     */
    boolean full(long nowMillis) {
        refill(nowMillis);
        return creditMicros >= capacityMicros;
    }

    private void refill(long nowMillis) {
        if (!started) {
            started = true;
            lastMillis = nowMillis;
            return;
        }
        long elapsed = nowMillis - lastMillis;
        if (elapsed < 0) {
            // the clock went back (a wall clock set back): start again from now, without a gift
            lastMillis = nowMillis;
        } else if (elapsed > 0) {
            lastMillis = nowMillis;
            // saturating: a long quiet time must not overflow
            long earned = elapsed >= capacityMicros / 1000 + 1 ? capacityMicros : elapsed * 1000;
            creditMicros = Math.min(capacityMicros, creditMicros + earned);
        }
    }
}
