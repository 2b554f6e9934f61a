package dev.tip.core.internal.jitter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.audio.JitterBufferStats;
import org.junit.jupiter.api.Test;

class PlayoutStatsTest {

    @Test
    void percentilesAreTheUpperEdgeOfHalfMillisecondBuckets() {
        PlayoutStats s = new PlayoutStats();
        assertThat(s.percentileDelay(0.95)).isZero();
        for (int i = 0; i < 19; i++) {
            s.recordPlayed(1_200_000L); // bucket 2: 1.0..1.5 ms
        }
        s.recordPlayed(9_999_999L); // bucket 19
        assertThat(s.percentileDelay(0.9)).isEqualTo(1_500_000L); // rank 18
        assertThat(s.percentileDelay(0.99)).isEqualTo(10_000_000L); // rank 20
        assertThat(s.percentileDelay(0)).isEqualTo(500_000L); // rank 0: the first bucket
        assertThat(s.currentDelayNanos()).isEqualTo(9_999_999L);
        assertThat(s.delaySumNanos()).isEqualTo(19 * 1_200_000L + 9_999_999L);
    }

    @Test
    void delaysOutsideTheHistogramCountInItsEdgeBuckets() {
        PlayoutStats s = new PlayoutStats();
        s.recordPlayed(-5);
        assertThat(s.percentileDelay(1)).isEqualTo(PlayoutStats.BUCKET_NANOS);
        s.recordPlayed(60_000_000_000L);
        assertThat(s.percentileDelay(1)).isEqualTo(PlayoutStats.BUCKETS * PlayoutStats.BUCKET_NANOS);
    }

    @Test
    void theSnapshotCarriesEveryCounterAndTheAdjustedTime() {
        PlayoutStats s = new PlayoutStats();
        s.recordPlayed(2_000_000L);
        s.recordPlayed(4_000_000L);
        s.concealed = 3;
        s.missing = 4;
        s.late = 5;
        s.duplicates = 6;
        s.adjustments = 7;
        s.adjustedSamples = 3;
        s.waits = 8;
        s.overflowDropped = 9;
        s.restarts = 10;
        HeardDelay heard = new HeardDelay(4, 50_000.0);
        heard.onAppend(1_000_000L, 0);
        heard.onTake(3_000_000L, 1); // the frame's first sample heard 2 ms after its arrival
        JitterBufferStats j = s.snapshot(42, 50_000.0, heard);
        assertThat(j)
                .isEqualTo(new JitterBufferStats(
                        4_000_000L,
                        42,
                        3_000_000L,
                        4_500_000L,
                        2,
                        3,
                        4,
                        5,
                        6,
                        7,
                        150_000L,
                        8,
                        9,
                        10,
                        1,
                        2_000_000L,
                        2_500_000L));
        assertThat(j.heardMeanDelayNanos()).isEqualTo(2_000_000L);
    }
}
