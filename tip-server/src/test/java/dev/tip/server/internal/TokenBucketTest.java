package dev.tip.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The token bucket behind every limit, on made-up times. */
class TokenBucketTest {

    @Test
    void aFullBucketAllowsItsBurstThenOneEventPerInterval() {
        TokenBucket b = new TokenBucket(3, 100_000); // 3 at once, then one per 100 ms
        assertThat(b.tryTake(0)).isTrue();
        assertThat(b.tryTake(0)).isTrue();
        assertThat(b.tryTake(0)).isTrue();
        assertThat(b.tryTake(0)).isFalse();
        assertThat(b.tryTake(99)).isFalse();
        assertThat(b.tryTake(100)).isTrue();
        assertThat(b.tryTake(100)).isFalse();
    }

    @Test
    void aLongQuietTimeRefillsTheBucketToItsBurstAndNoMore() {
        TokenBucket b = TokenBucket.perMinute(2);
        assertThat(b.tryTake(0)).isTrue();
        assertThat(b.tryTake(0)).isTrue();
        assertThat(b.full(0)).isFalse();
        assertThat(b.full(Long.MAX_VALUE / 2)).isTrue();
        assertThat(b.tryTake(Long.MAX_VALUE / 2)).isTrue();
        assertThat(b.tryTake(Long.MAX_VALUE / 2)).isTrue();
        assertThat(b.tryTake(Long.MAX_VALUE / 2)).isFalse();
    }

    @Test
    void aClockThatGoesBackNeitherGivesTokensNorStopsTheRefill() {
        TokenBucket b = TokenBucket.perSecond(1);
        assertThat(b.tryTake(10_000)).isTrue();
        assertThat(b.tryTake(5_000)).isFalse();
        assertThat(b.tryTake(6_000)).as("a second after the clock went back").isTrue();
    }

    @Test
    void perSecondAllowsThatManyInASecondOfBurstAndThatRateAfter() {
        TokenBucket b = TokenBucket.perSecond(160);
        int allowed = 0;
        for (int ms = 0; ms < 2_000; ms++) {
            for (int i = 0; i < 100; i++) { // a flood: 100 per millisecond
                if (b.tryTake(ms)) {
                    allowed++;
                }
            }
        }
        assertThat(allowed).isBetween(160 + 318, 160 + 321);
    }

    @Test
    void aBadBurstOrIntervalIsNamed() {
        assertThatThrownBy(() -> new TokenBucket(0, 1)).hasMessageContaining("burst");
        assertThatThrownBy(() -> new TokenBucket(1, 0)).hasMessageContaining("intervalMicros");
    }
}
