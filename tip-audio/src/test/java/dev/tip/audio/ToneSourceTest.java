package dev.tip.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tip.core.voice.AudioFormat;
import dev.tip.testing.ToneDetector;
import org.junit.jupiter.api.Test;

class ToneSourceTest {

    @Test
    void producesTheRequestedFrequencyAndAmplitude() throws Exception {
        ToneSource tone = new ToneSource(AudioFormat.ORIGINAL, 1000, 0.5);
        short[] s = Signals.read(tone, 40);
        assertThat(ToneDetector.dominantFrequency(s, 20_000)).isCloseTo(1000, within(1.0));
        assertThat(Signals.peak(s)).isBetween(16_300, 16_400);
        assertThat(tone.isRealTime()).isFalse();
    }

    @Test
    void isContinuousInPhaseAcrossFrameBoundaries() throws Exception {
        // 7 samples per frame so frame edges fall at every phase of a 1234 Hz tone
        ToneSource tone = new ToneSource(new AudioFormat(8000, 1, 16, 7), 1234, 1.0);
        short[] s = Signals.read(tone, 2000);
        double maxStep = 32767 * 2 * Math.PI * 1234 / 8000;
        assertThat(Signals.largestStep(s)).isLessThanOrEqualTo((int) Math.ceil(maxStep) + 2);
    }

    @Test
    void fillsEveryChannelOfAStereoFrame() throws Exception {
        ToneSource tone = new ToneSource(new AudioFormat(48_000, 2, 16, 960), 440, 0.3);
        short[] s = Signals.read(tone, 10);
        assertThat(Signals.channel(s, 2, 0)).isEqualTo(Signals.channel(s, 2, 1));
        assertThat(ToneDetector.dominantFrequency(Signals.channel(s, 2, 0), 48_000))
                .isCloseTo(440, within(1.0));
    }

    @Test
    void rejectsAFrequencyAboveNyquistAndNamesIt() {
        assertThatThrownBy(() -> new ToneSource(AudioFormat.ORIGINAL, 10_000, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frequencyHz");
        assertThatThrownBy(() -> new ToneSource(AudioFormat.ORIGINAL, 440, 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("amplitude");
    }
}
