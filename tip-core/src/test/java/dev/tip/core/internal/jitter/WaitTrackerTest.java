package dev.tip.core.internal.jitter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.audio.DelayEstimator;
import org.junit.jupiter.api.Test;

class WaitTrackerTest {
    private static final long FRAME = 20_000_000L;
    private static final long TARGET = 50_000_000L;

    /** A target that stays where it is put. */
    private static final class FixedTarget implements DelayEstimator {
        @Override
        public void onArrival(long arrivalNanos, long relativeDelayNanos) {}

        @Override
        public long targetNanos() {
            return TARGET;
        }

        @Override
        public long floorNanos() {
            return 0;
        }

        @Override
        public void shift(long deltaNanos) {}
    }

    private final PlayoutStats stats = new PlayoutStats();
    private final WaitTracker waits = new WaitTracker(stats, new FixedTarget(), FRAME);

    @Test
    void aShortWaitIsTheTailOfTheDelayDistributionAndALongOneASpike() {
        waits.onWaitFrame();
        waits.onWaitFrame();
        assertThat(waits.waiting()).isTrue();
        assertThat(stats.waits).isEqualTo(2);
        assertThat(waits.absorbed(0, 0, true)).isFalse(); // the target must learn this delay
        assertThat(waits.absorbed(0, 0, false)).isTrue(); // playout stopped: nothing to learn
        waits.onWaitFrame();
        assertThat(waits.absorbed(0, 0, true)).isTrue();
    }

    @Test
    void beforeAnyWaitEndedNoArrivalIsAbsorbed() {
        // no wait ever recorded: a delay above the target is for the target to learn, at any time
        // (the time of the last wait's end must not start at a value that overflows the difference)
        for (long arrival : new long[] {0, 1, FRAME, 1_000_000_000L, Long.MAX_VALUE / 2, -1_000_000_000L}) {
            assertThat(waits.absorbed(arrival, TARGET + 1, true)).isFalse();
            assertThat(waits.absorbed(arrival, 10 * TARGET, false)).isFalse();
        }
        // a short wait that ends is no spike: still nothing absorbed after it
        waits.onWaitFrame();
        waits.onFramePlayed(1_000_000_000L);
        assertThat(waits.absorbed(1_000_000_000L + FRAME, TARGET + 1, true)).isFalse();
        // nor after a wait abandoned (the stream paused)
        waits.onWaitFrame();
        waits.onWaitFrame();
        waits.onWaitFrame();
        waits.abandon();
        assertThat(waits.absorbed(2_000_000_000L, TARGET + 1, true)).isFalse();
    }

    @Test
    void theBurstJustAfterASpikeIsAbsorbedWhenItsDelayIsAboveTheTarget() {
        long end = 1_000_000_000L;
        for (int i = 0; i < WaitTracker.SPIKE_WAIT_FRAMES; i++) {
            waits.onWaitFrame();
        }
        waits.onFramePlayed(end);
        assertThat(waits.waiting()).isFalse();
        assertThat(waits.absorbed(end + FRAME, TARGET + 1, true)).isTrue();
        assertThat(waits.absorbed(end + FRAME, TARGET, true)).isFalse();
        assertThat(waits.absorbed(end + 2 * FRAME, TARGET + 1, true)).isFalse();
    }

    @Test
    void aShortWaitThatEndsLeavesNoBurstBehind() {
        long spikeEnd = 1_000_000_000L;
        for (int i = 0; i < WaitTracker.SPIKE_WAIT_FRAMES; i++) {
            waits.onWaitFrame();
        }
        waits.onFramePlayed(spikeEnd);
        long end = spikeEnd + 10 * FRAME;
        waits.onWaitFrame();
        waits.onFramePlayed(end);
        assertThat(waits.absorbed(end + FRAME, TARGET + 1, true)).isFalse();
        assertThat(stats.waits).isEqualTo(4); // the waits were real: they stay counted
    }

    @Test
    void framesThatNeverCameAreLossesNotWaits() {
        for (int i = 0; i < 3; i++) {
            waits.onWaitFrame();
        }
        waits.onResumedAfter(2);
        assertThat(stats.waits).isEqualTo(1);
        waits.onResumedAfter(5); // at most what was waited
        assertThat(stats.waits).isZero();
        assertThat(waits.waiting()).isTrue();
    }

    @Test
    void aWaitThatEndsInANewTalkSpurtIsNeitherAWaitNorConcealment() {
        stats.concealed = 10;
        for (int i = 0; i < 4; i++) {
            waits.onWaitFrame();
        }
        waits.onNewSpurt();
        assertThat(stats.waits).isZero();
        assertThat(stats.concealed).isEqualTo(6);
        assertThat(waits.waiting()).isFalse();
        waits.onNewSpurt(); // not waiting: nothing to correct
        assertThat(stats.concealed).isEqualTo(6);
        waits.onResumedAfter(3);
        assertThat(stats.waits).isZero();
    }
}
