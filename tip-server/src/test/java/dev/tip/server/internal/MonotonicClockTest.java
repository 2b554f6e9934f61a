package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.TipClock;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MonotonicClockTest {

    @Test
    void millisAreTheSourcesNanosecondsFlooredAndNothingElse() {
        AtomicLong nanos = new AtomicLong(-1);
        TipClock source = new TipClock() {
            @Override
            public long nanoTime() {
                return nanos.get();
            }

            @Override
            public void sleepUntil(long deadline) {
                throw new UnsupportedOperationException();
            }
        };
        MonotonicClock clock = new MonotonicClock(source);
        assertThat(clock.millis()).isEqualTo(-1); // floored, also below zero (nanoTime may be negative)
        nanos.set(2_999_999);
        assertThat(clock.millis()).isEqualTo(2);
        nanos.set(3_000_000);
        assertThat(clock.millis()).isEqualTo(3);
        assertThat(clock.instant().toEpochMilli()).isEqualTo(3);
    }

    @Test
    void theSystemSourceNeverGoesBack() {
        MonotonicClock clock = new MonotonicClock(TipClock.system());
        long last = clock.millis();
        for (int i = 0; i < 100_000; i++) {
            long now = clock.millis();
            assertThat(now).isGreaterThanOrEqualTo(last);
            last = now;
        }
    }
}
