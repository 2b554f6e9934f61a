package dev.tip.server.internal;

import dev.tip.core.TipClock;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * The server's deadlines in milliseconds, read from the {@link TipClock} the application gave (a
 * monotonic nanosecond clock, the same type the client takes): a {@link Clock} only so that the
 * internals can keep asking for {@link #millis()}. Only differences of {@code millis()} are
 * meaningful; {@link #instant()} is not a wall-clock time. A wall clock would move every deadline
 * when the machine's time is stepped. Thread-safe if the source is.
 */
public final class MonotonicClock extends Clock {

    private final TipClock source;

    /**
     * Wraps a clock.
     *
     * @param source the monotonic source
     */
    public MonotonicClock(TipClock source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    public long millis() {
        return Math.floorDiv(source.nanoTime(), 1_000_000L);
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a monotonic clock has no zone");
    }
}
