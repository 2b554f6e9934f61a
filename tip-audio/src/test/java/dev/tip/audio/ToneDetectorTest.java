package dev.tip.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tip.core.voice.AudioFormat;
import dev.tip.testing.ToneDetector;
import org.junit.jupiter.api.Test;

class ToneDetectorTest {

    private static short[] mix(int rate, int length, double[] hz, double[] amplitude) {
        short[] s = new short[length];
        for (int i = 0; i < length; i++) {
            double v = 0;
            for (int k = 0; k < hz.length; k++) {
                v += amplitude[k] * Math.sin(2 * Math.PI * hz[k] * i / rate);
            }
            s[i] = (short) Math.round(v * 32767);
        }
        return s;
    }

    @Test
    void findsTheTonesPresentAndRejectsTheAbsentOnes() {
        short[] s = mix(20_000, 10_000, new double[] {440, 880}, new double[] {0.3, 0.2});
        assertThat(ToneDetector.detect(s, 20_000, new double[] {440, 660, 880, 1320}))
                .containsExactly(440.0, 880.0);
    }

    @Test
    void measuresTheAmplitudeOfEachTone() {
        short[] s = mix(20_000, 10_000, new double[] {440, 880}, new double[] {0.3, 0.2});
        assertThat(ToneDetector.amplitude(s, 20_000, 440)).isCloseTo(0.3, within(0.01));
        assertThat(ToneDetector.amplitude(s, 20_000, 880)).isCloseTo(0.2, within(0.01));
        assertThat(ToneDetector.amplitude(s, 20_000, 660)).isLessThan(0.001);
    }

    @Test
    void findsNothingInSilenceOrInNoiseBelowTheThreshold() {
        short[] silence = new short[4000];
        assertThat(ToneDetector.detect(silence, 20_000, new double[] {440, 880}))
                .isEmpty();
        assertThat(ToneDetector.dominantFrequency(silence, 20_000)).isNaN();
        java.util.Random random = new java.util.Random(1);
        short[] noise = new short[20_000];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (short) (random.nextGaussian() * 100);
        }
        assertThat(ToneDetector.detect(noise, 20_000, new double[] {440, 660, 880}))
                .isEmpty();
    }

    @Test
    void estimatesTheDominantFrequencyBetweenFftBins() {
        short[] s = mix(48_000, 24_000, new double[] {1234.5, 3000}, new double[] {0.5, 0.1});
        assertThat(ToneDetector.dominantFrequency(s, 48_000)).isCloseTo(1234.5, within(0.5));
    }

    @Test
    void hearsAToneSourceThroughFramesOfTheOriginalFormat() throws Exception {
        short[] s = Signals.read(new ToneSource(AudioFormat.ORIGINAL, 660, 0.05), 20);
        assertThat(ToneDetector.detect(s, 20_000, new double[] {440, 660, 880})).containsExactly(660.0);
    }
}
