package dev.tip.core.internal.jitter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.audio.Frames;
import dev.tip.core.voice.AudioFormat;
import org.junit.jupiter.api.Test;

class PcmConcealmentTest {
    private static final AudioFormat FORMAT = AudioFormat.ORIGINAL;

    @Test
    void aLostFrameContinuesTheWaveformWithoutAJump() {
        PcmConcealment plc = new PcmConcealment(FORMAT);
        short[] all = new short[512 * 6];
        for (int k = 0; k < 3; k++) {
            short[] f = Frames.sine(k);
            plc.observe(f, 0, 512);
            System.arraycopy(f, 0, all, k * 512, 512);
        }
        short[] lost = new short[512];
        plc.conceal(lost, 0, 512);
        System.arraycopy(lost, 0, all, 3 * 512, 512);
        short[] back = Frames.sine(4);
        plc.blendInto(back, 0, 512, false);
        plc.observe(back, 0, 512);
        System.arraycopy(back, 0, all, 4 * 512, 512);
        // the natural step of this sine is at most about 503 per sample
        assertThat(Frames.maxStep(all, 1, 5 * 512)).isLessThan(800);
        // a 200 Hz tone has a 100-sample period: the concealment repeats it closely
        int close = 0;
        short[] truth = Frames.sine(3);
        for (int i = 0; i < 200; i++) {
            if (Math.abs(lost[i] - truth[i]) < 1500) {
                close++;
            }
        }
        assertThat(close).isGreaterThan(150);
    }

    @Test
    void aRunOfLossesFadesToSilence() {
        PcmConcealment plc = new PcmConcealment(FORMAT);
        plc.observe(Frames.sine(0), 0, 512);
        plc.observe(Frames.sine(1), 0, 512);
        short[] f = new short[512];
        int previousPeak = Integer.MAX_VALUE;
        for (int k = 0; k < 4; k++) {
            plc.conceal(f, 0, 512);
            int peak = 0;
            for (short s : f) {
                peak = Math.max(peak, Math.abs(s));
            }
            assertThat(peak).isLessThanOrEqualTo(previousPeak);
            previousPeak = peak;
        }
        assertThat(plc.isExhausted()).isTrue();
        assertThat(f).containsOnly((short) 0);
        // audio after silence fades in instead of starting with a step
        short[] back = Frames.sine(6);
        plc.blendInto(back, 0, 512, true);
        assertThat(Math.abs(back[0])).isLessThan(800);
        assertThat(Frames.maxStep(back, 1, 512)).isLessThan(800);
    }

    @Test
    void withNoHistoryConcealmentIsSilence() {
        PcmConcealment plc = new PcmConcealment(FORMAT);
        short[] f = new short[512];
        java.util.Arrays.fill(f, (short) 3);
        plc.conceal(f, 0, 512);
        assertThat(f).containsOnly((short) 0);
    }
}
