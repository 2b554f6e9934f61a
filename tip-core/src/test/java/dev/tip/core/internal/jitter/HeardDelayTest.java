package dev.tip.core.internal.jitter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.voice.AudioFormat;
import org.junit.jupiter.api.Test;

class HeardDelayTest {
    private static final double NS = 50_000; // 20 kHz

    @Test
    void aFirstSampleLeavesWithTheCallThatOutputsItAtItsPositionInThatCall() {
        HeardDelay heard = new HeardDelay(8, NS);
        heard.onAppend(1_000_000, 500); // behind 500 samples already in the FIFO
        heard.onTake(2_000_000, 128); // 372 left before it
        assertThat(heard.count()).isZero();
        heard.onTake(3_000_000, 512); // leaves at index 372 of this call
        assertThat(heard.count()).isEqualTo(1);
        assertThat(heard.currentNanos()).isEqualTo(3_000_000 + 372 * 50_000L - 1_000_000);
    }

    @Test
    void cutsMoveItEarlierAndStretchesLater() {
        HeardDelay heard = new HeardDelay(8, NS);
        heard.onAppend(0, 100);
        heard.onAppend(0, 612);
        heard.onShrink(150); // the first frame's first sample was cut: its first one left is at the front
        heard.onGrow(10);
        heard.onTake(1_000_000, 20);
        assertThat(heard.count()).isEqualTo(1);
        assertThat(heard.currentNanos()).isEqualTo(1_000_000 + 10 * 50_000L);
        heard.onTake(2_000_000, 512); // the second: 612 - 150 + 10 - 20 = 452
        assertThat(heard.currentNanos()).isEqualTo(2_000_000 + 452 * 50_000L);
        assertThat(heard.meanNanos()).isEqualTo((1_500_000 + 2_000_000 + 452 * 50_000L) / 2);
        assertThat(heard.percentileNanos(1.0)).isGreaterThanOrEqualTo(2_000_000 + 452 * 50_000L);
    }

    @Test
    void theEngineHearsAFrameNoEarlierThanItPullsIt() {
        AudioFormat format = AudioFormat.ORIGINAL;
        PlayoutEngine engine = new PlayoutEngine(
                format, 1_000_000_000L, new QuantileTarget(1000, 0.98, 0, 40_000_000L), PlayoutEngine.Tuning.DEFAULT);
        short[] frame = new short[format.frameLength()];
        java.util.Arrays.fill(frame, (short) 1000);
        short[] out = new short[format.frameLength()];
        long period = format.frameNanos();
        for (int k = 0; k < 2000; k++) {
            long arrival = k * period + 20_000_000L;
            long now = k * period + 20_000_000L + 3_000_000L;
            engine.insert(k & 0xFFFF, (long) k * format.samplesPerFrame(), k == 0, frame, 0, frame.length, arrival);
            engine.playout(now, out, 0, out.length);
        }
        assertThat(engine.heardCount()).isBetween(engine.played() - 8, engine.played());
        assertThat(engine.heardMeanDelayNanos())
                .isGreaterThanOrEqualTo(engine.stats().meanDelayNanos());
        assertThat(engine.heardPercentileDelay(0.95)).isGreaterThanOrEqualTo(engine.percentileDelay(0.95));
    }

    @Test
    void withFramesOfWholeCallsNoSampleWaitsAheadOfAFrameForLong() {
        // 128-sample calls, 512-sample frames, a jittered stream: what the FIFO holds ahead of each
        // frame is cut away, so the heard delay stays close to the delay at the pulling call
        AudioFormat format = AudioFormat.ORIGINAL;
        PlayoutEngine engine = new PlayoutEngine(
                format, 1_000_000_000L, new QuantileTarget(1000, 0.98, 0, 40_000_000L), PlayoutEngine.Tuning.DEFAULT);
        short[] frame = new short[format.frameLength()];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (short) (3000 * Math.sin(i * 0.1));
        }
        short[] out = new short[128];
        long period = format.frameNanos();
        long call = 6_400_000L;
        java.util.Random random = new java.util.Random(7);
        long[] arrival = new long[3000];
        for (int k = 0; k < arrival.length; k++) {
            arrival[k] = k * period + 20_000_000L + (long) (random.nextDouble() * 15_000_000L);
        }
        int next = 0;
        for (long now = 1_234_567L; next < arrival.length; now += call) {
            while (next < arrival.length && arrival[next] <= now) {
                engine.insert(
                        next & 0xFFFF,
                        (long) next * format.samplesPerFrame(),
                        next == 0,
                        frame,
                        0,
                        frame.length,
                        arrival[next]);
                next++;
            }
            engine.playout(now, out, 0, out.length);
        }
        double extraMs = (engine.heardMeanDelayNanos() - engine.stats().meanDelayNanos()) / 1e6;
        assertThat(extraMs).isBetween(0.0, 1.5);
    }
}
