package dev.tip.core.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tip.core.voice.AudioFormat;
import org.junit.jupiter.api.Test;

class MixerTest {
    private static final AudioFormat FORMAT = new AudioFormat(8000, 1, 16, 4);

    @Test
    void sumsSpeakersAndSaturatesInsteadOfWrapping() {
        Mixer m = new Mixer(FORMAT);
        m.clear();
        m.add(new short[] {30000, -30000, 100, Short.MAX_VALUE});
        m.add(new short[] {30000, -30000, -50, Short.MAX_VALUE});
        m.add(new short[] {0, -1, 1, Short.MAX_VALUE});
        short[] out = new short[4];
        m.mixTo(out);
        assertThat(out).containsExactly(Short.MAX_VALUE, Short.MIN_VALUE, (short) 51, Short.MAX_VALUE);
        assertThat(m.sources()).isEqualTo(3);
    }

    @Test
    void aClearedMixerPlaysSilenceAndGainScalesASpeaker() {
        Mixer m = new Mixer(FORMAT);
        m.add(new short[] {1000, 1000, 1000, 1000});
        m.clear();
        short[] out = {9, 9, 9, 9};
        m.mixTo(out);
        assertThat(out).containsOnly((short) 0);
        m.add(new short[] {0, 1000, -1000, 20000}, 0, 4, 0.5f);
        m.mixTo(out);
        assertThat(out).containsExactly((short) 0, (short) 500, (short) -500, (short) 10000);
    }

    @Test
    void aPartOfAFrameMixesOnlyThatPart() {
        Mixer m = new Mixer(FORMAT);
        m.add(new short[] {7, 1000, 1000, 7}, 1, 2, 1.0f);
        m.add(new short[] {2000, 2000}, 0, 2, 0.5f);
        short[] out = {9, 9, 9, 9};
        m.mixTo(out, 1, 2);
        assertThat(out).containsExactly((short) 9, (short) 2000, (short) 2000, (short) 9);
        assertThatThrownBy(() -> m.add(new short[8], 0, 5, 1.0f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.mixTo(out, 0, 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mixingAllocatesNothing() {
        Mixer m = new Mixer(AudioFormat.ORIGINAL);
        short[] a = new short[512];
        short[] out = new short[512];
        for (int i = 0; i < 20_000; i++) {
            m.clear();
            m.add(a);
            m.mixTo(out);
        }
        long before = JitterBufferTest.allocatedBytes();
        for (int i = 0; i < 20_000; i++) {
            m.clear();
            for (int s = 0; s < 8; s++) {
                m.add(a);
            }
            m.mixTo(out);
        }
        assertThat(JitterBufferTest.allocatedBytes() - before)
                .isLessThan(16 * 1024); // one small object per mix would be 320 KB
    }
}
