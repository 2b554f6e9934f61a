package dev.tip.core.internal.jitter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.voice.AudioFormat;
import org.junit.jupiter.api.Test;

class SampleFifoTest {
    private static final AudioFormat FORMAT = AudioFormat.ORIGINAL; // 20 kHz mono, 512 per frame

    private static short[] ramp() {
        short[] f = new short[FORMAT.frameLength()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (short) (10 * i + 7);
        }
        return f;
    }

    /** A FIFO holding exactly two copies of {@link #ramp()}: the fade-in after silence taken out. */
    private static SampleFifo twoRamps() {
        SampleFifo fifo = new SampleFifo(FORMAT);
        short[] f = ramp();
        fifo.appendFrame(f);
        fifo.appendFrame(f);
        fifo.appendFrame(f);
        fifo.take(new short[f.length], 0, f.length);
        return fifo;
    }

    @Test
    void takeMovesTheFrontAndKeepsTheRestInOrder() {
        SampleFifo fifo = twoRamps();
        short[] out = new short[100];
        fifo.take(out, 0, 100);
        assertThat(out[0]).isEqualTo((short) 7);
        assertThat(out[99]).isEqualTo((short) 997);
        assertThat(fifo.length()).isEqualTo(1024 - 100);
        short[] rest = new short[fifo.length()];
        fifo.take(rest, 0, rest.length);
        assertThat(rest[0]).isEqualTo((short) 1007);
        assertThat(rest[411]).isEqualTo(ramp()[511]);
        assertThat(rest[412]).isEqualTo(ramp()[0]);
        assertThat(fifo.length()).isZero();
    }

    @Test
    void aFrameAfterSilenceFadesInAndSilenceIsRemembered() {
        SampleFifo fifo = new SampleFifo(FORMAT);
        assertThat(fifo.endsInSilence()).isTrue();
        fifo.appendFrame(ramp());
        assertThat(fifo.endsInSilence()).isFalse();
        short[] out = new short[512];
        fifo.take(out, 0, 512);
        assertThat(Math.abs(out[0])).isLessThan(ramp()[0] + 1);
        assertThat(out[39]).isLessThan(ramp()[39]);
        assertThat(out[100]).isEqualTo(ramp()[100]);
        fifo.appendSilence(10);
        assertThat(fifo.endsInSilence()).isTrue();
        assertThat(fifo.length()).isEqualTo(10);
    }

    @Test
    void shrinkRemovesSamplesFromTheFrontWithACrossFade() {
        SampleFifo fifo = twoRamps();
        int s = 50;
        int splice = fifo.splice();
        assertThat(splice).isEqualTo(100); // 5 ms at 20 kHz
        fifo.shrink(s);
        assertThat(fifo.length()).isEqualTo(1024 - s);
        short[] out = new short[fifo.length()];
        fifo.take(out, 0, out.length);
        short[] f = ramp();
        for (int i = 0; i < splice; i++) {
            // between the sample cut away and the one that follows the cut
            assertThat((int) out[i]).isBetween((int) f[i], (int) f[i + s]);
        }
        for (int i = splice; i < out.length; i++) {
            assertThat(out[i]).isEqualTo(f[(i + s) % 512]);
        }
    }

    @Test
    void growRepeatsSamplesAtTheFrontWithACrossFade() {
        SampleFifo fifo = twoRamps();
        int s = 50;
        int splice = fifo.splice();
        fifo.grow(s);
        assertThat(fifo.length()).isEqualTo(1024 + s);
        short[] out = new short[fifo.length()];
        fifo.take(out, 0, out.length);
        short[] f = ramp();
        for (int i = 0; i < s; i++) {
            assertThat(out[i]).isEqualTo(f[i]);
        }
        for (int k = 0; k < splice; k++) {
            // from the continuation of the first copy back to the repeated samples
            assertThat((int) out[s + k]).isBetween((int) f[k], (int) f[s + k]);
        }
        for (int i = s + splice; i < out.length; i++) {
            assertThat(out[i]).isEqualTo(f[(i - s) % 512]);
        }
    }

    @Test
    void aConstantSignalStaysConstantThroughCutsAndRepeats() {
        SampleFifo fifo = new SampleFifo(FORMAT);
        short[] c = new short[512];
        java.util.Arrays.fill(c, (short) 3000);
        for (int i = 0; i < 4; i++) {
            fifo.appendFrame(c);
        }
        fifo.take(new short[512], 0, 512);
        fifo.shrink(37);
        fifo.grow(81);
        short[] out = new short[fifo.length()];
        fifo.take(out, 0, out.length);
        assertThat(out.length).isEqualTo(3 * 512 - 37 + 81);
        for (short v : out) {
            assertThat(v).isEqualTo((short) 3000);
        }
    }

    @Test
    void quietMeansAMeanAbsoluteLevelBelow64OverTheFirstFrame() {
        SampleFifo fifo = new SampleFifo(FORMAT);
        assertThat(fifo.isQuiet()).isTrue(); // empty
        short[] f = new short[512];
        for (int i = 0; i < f.length; i++) {
            f[i] = (short) (i % 2 == 0 ? 63 : -63);
        }
        fifo.appendSilence(512);
        fifo.take(new short[512], 0, 512);
        fifo.appendFrame(f); // fades in: quieter still
        fifo.take(new short[512], 0, 512);
        fifo.appendFrame(f);
        assertThat(fifo.isQuiet()).isTrue();
        for (int i = 0; i < f.length; i++) {
            f[i] = (short) (i % 2 == 0 ? 64 : -64);
        }
        fifo.take(new short[512], 0, 512);
        fifo.appendFrame(f);
        assertThat(fifo.isQuiet()).isFalse();
    }

    @Test
    void fadingOutTheTailEndsInSilenceAndForgetsTheConcealment() {
        SampleFifo fifo = twoRamps();
        fifo.fadeOutTail();
        assertThat(fifo.endsInSilence()).isTrue();
        short[] out = new short[fifo.length()];
        fifo.take(out, 0, out.length);
        assertThat(out[out.length - 1]).isZero();
        assertThat(out[out.length - 101]).isEqualTo(ramp()[411]);
        assertThat((int) out[out.length - 50]).isLessThan(ramp()[462]).isPositive();
        // with the history forgotten, a loss now conceals with silence
        fifo.appendConcealment();
        out = new short[512];
        fifo.take(out, 0, 512);
        for (short v : out) {
            assertThat(v).isZero();
        }
    }
}
