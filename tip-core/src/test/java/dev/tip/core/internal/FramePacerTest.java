package dev.tip.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.TipClock;
import dev.tip.core.voice.AudioFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FramePacerTest {

    /** Virtual time: sleeping jumps to the deadline; a test may add extra lateness to each wake-up. */
    static final class VirtualClock implements TipClock {
        long now = 1_000_000_000L;
        long lateBy;
        final List<Long> sleeps = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepUntil(long deadline) {
            sleeps.add(deadline);
            if (deadline > now) {
                now = deadline;
            }
            now += lateBy;
        }
    }

    @Test
    void deadlinesOfTheOriginalFormatAre25Point6MillisecondsApartFromTheStart() {
        VirtualClock clock = new VirtualClock();
        FramePacer pacer = new FramePacer(clock, AudioFormat.ORIGINAL, 4);
        long start = clock.now;
        for (int k = 0; k < 1000; k++) {
            long deadline = awaitNext(pacer);
            assertThat(deadline).isEqualTo(start + k * 25_600_000L);
        }
    }

    @Test
    void lateWakeUpsDoNotAccumulateIntoDrift() {
        VirtualClock clock = new VirtualClock();
        clock.lateBy = 3_000_000; // every wake-up 3 ms late, less than a frame
        FramePacer pacer = new FramePacer(clock, AudioFormat.ORIGINAL, 4);
        long start = clock.now;
        long last = 0;
        for (int k = 0; k < 500; k++) {
            last = awaitNext(pacer);
        }
        assertThat(last).isEqualTo(start + 499 * 25_600_000L);
        assertThat(pacer.restarts()).isZero();
    }

    @Test
    void aFractionalPeriodIsCarriedExactly() {
        // 441 samples at 44100 Hz is 10 ms; 160 at 48000 Hz is 3333333.33 ns
        VirtualClock clock = new VirtualClock();
        FramePacer pacer = new FramePacer(clock, new AudioFormat(48_000, 1, 16, 160), 4);
        long start = clock.now;
        long last = 0;
        for (int k = 0; k <= 3000; k++) {
            last = awaitNext(pacer);
        }
        assertThat(last).isEqualTo(start + 3000L * 160 * 1_000_000_000L / 48_000);
    }

    @Test
    void aCallerFarBehindRestartsFromNowInsteadOfBursting() {
        VirtualClock clock = new VirtualClock();
        FramePacer pacer = new FramePacer(clock, AudioFormat.ORIGINAL, 4);
        awaitNext(pacer);
        awaitNext(pacer);
        clock.now += 1_000_000_000L; // a one-second stall
        long resumed = awaitNext(pacer);
        assertThat(resumed).isEqualTo(clock.now);
        assertThat(pacer.restarts()).isEqualTo(1);
        assertThat(awaitNext(pacer)).isEqualTo(resumed + 25_600_000L);
    }

    private static long awaitNext(FramePacer pacer) {
        try {
            return pacer.awaitNext();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
