package dev.tip.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tip.core.audio.AudioSink;
import dev.tip.core.audio.AudioSource;
import dev.tip.core.voice.AudioFormat;
import dev.tip.testing.ToneDetector;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConversionTest {

    /** Collects what it is given, frame by frame. */
    static final class CollectingSink implements AudioSink {
        final AudioFormat format;
        final List<short[]> frames = new ArrayList<>();
        boolean closed;

        CollectingSink(AudioFormat format) {
            this.format = format;
        }

        @Override
        public AudioFormat format() {
            return format;
        }

        private short[] pending;
        private int pendingLength;

        /** Collects parts into whole frames. */
        @Override
        public void write(short[] samples, int offset, int length) {
            if (pending == null) {
                pending = new short[format.frameLength()];
            }
            while (length > 0) {
                int n = Math.min(length, pending.length - pendingLength);
                System.arraycopy(samples, offset, pending, pendingLength, n);
                pendingLength += n;
                offset += n;
                length -= n;
                if (pendingLength == pending.length) {
                    pendingLength = 0;
                    frames.add(pending.clone());
                }
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        short[] all() {
            short[] out = new short[frames.size() * format.frameLength()];
            for (int i = 0; i < frames.size(); i++) {
                System.arraycopy(frames.get(i), 0, out, i * format.frameLength(), format.frameLength());
            }
            return out;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {48_000, 44_100, 16_000, 8_000, 22_050})
    void aToneResampledAwayAndBackKeepsItsFrequencyAndAmplitudeWithoutTransients(int rate) throws Exception {
        AudioSource tone = new ToneSource(AudioFormat.ORIGINAL, 1000, 0.5);
        AudioFormat device = new AudioFormat(rate, 1, 16, rate / 50);
        AudioSource there = ConvertingSource.of(tone, device);
        AudioSource back = ConvertingSource.of(there, AudioFormat.ORIGINAL);
        short[] atDevice = Signals.read(there, 0 + 1); // prime: one device frame
        assertThat(atDevice).hasSize(device.frameLength());
        short[] s = Signals.read(back, 80); // about 2 s
        // skip the filters' start-up (a few milliseconds of fade-in from the leading silence)
        short[] steady = Signals.slice(s, 2_000, s.length);
        assertThat(ToneDetector.dominantFrequency(steady, 20_000)).isCloseTo(1000, within(10.0));
        assertThat(ToneDetector.amplitude(steady, 20_000, 1000)).isCloseTo(0.5, within(0.01));
        // a 0.5 full-scale 1 kHz sine at 20 kHz moves at most 2*pi*1000/20000*16384 = 5147 per sample
        assertThat(Signals.largestStep(steady)).isLessThan(5_300);
        assertThat(Signals.peak(steady)).isBetween(16_000, 16_800);
    }

    @Test
    void upsamplingTo48kHzKeepsTheToneAndAddsNoImages() throws Exception {
        AudioFormat device = new AudioFormat(48_000, 1, 16, 960);
        short[] s = Signals.read(ConvertingSource.of(new ToneSource(AudioFormat.ORIGINAL, 1000, 0.5), device), 50);
        short[] steady = Signals.slice(s, 4_800, s.length);
        assertThat(ToneDetector.dominantFrequency(steady, 48_000)).isCloseTo(1000, within(1.0));
        // the spectral image of 1 kHz around the 20 kHz source rate would sit at 19 kHz
        assertThat(ToneDetector.amplitude(steady, 48_000, 19_000)).isLessThan(0.001);
    }

    @Test
    void downsamplingRemovesWhatTheTargetRateCannotHold() throws Exception {
        AudioFormat device = new AudioFormat(48_000, 1, 16, 960);
        // 15 kHz is above the 10 kHz Nyquist of 20 kHz: it must vanish, not alias to 5 kHz
        AudioSource high = ConvertingSource.of(new ToneSource(device, 15_000, 0.5), AudioFormat.ORIGINAL);
        short[] s = Signals.read(high, 40);
        assertThat(ToneDetector.amplitude(Signals.slice(s, 1_000, s.length), 20_000, 5_000))
                .isLessThan(0.001);
        assertThat(Signals.peak(Signals.slice(s, 1_000, s.length))).isLessThan(100);
    }

    @Test
    void reframesWithoutLosingOrReorderingSamples() throws Exception {
        AudioFormat small = new AudioFormat(20_000, 1, 16, 7);
        AudioFormat big = new AudioFormat(20_000, 1, 16, 512);
        AudioSource counter = new AudioSource() {
            short next;

            @Override
            public AudioFormat format() {
                return small;
            }

            @Override
            public boolean read(short[] frame) {
                if (next >= 3000) {
                    return false;
                }
                for (int i = 0; i < 7; i++) {
                    frame[i] = next++;
                }
                return true;
            }
        };
        short[] s = Signals.readAll(ConvertingSource.of(counter, big));
        // 3003 samples produced by the source: 5 full frames and a last one padded with silence
        assertThat(s).hasSize(6 * 512);
        for (int i = 0; i < 3003; i++) {
            assertThat(s[i]).isEqualTo((short) i);
        }
        for (int i = 3003; i < s.length; i++) {
            assertThat(s[i]).isZero();
        }
    }

    @Test
    void sinkSideReframesAndFlushesThePartialFrameOnClose() throws Exception {
        AudioFormat in = new AudioFormat(20_000, 1, 16, 512);
        CollectingSink out = new CollectingSink(new AudioFormat(20_000, 1, 16, 300));
        AudioSink sink = ConvertingSink.of(out, in);
        short[] frame = new short[512];
        short v = 0;
        for (int f = 0; f < 3; f++) {
            for (int i = 0; i < 512; i++) {
                frame[i] = v++;
            }
            sink.write(frame);
        }
        assertThat(out.frames).hasSize(5); // 1536 samples: five of 300 written, 36 pending
        sink.close();
        assertThat(out.closed).isTrue();
        short[] all = out.all();
        assertThat(all).hasSize(1800);
        for (int i = 0; i < 1536; i++) {
            assertThat(all[i]).isEqualTo((short) i);
        }
    }

    @Test
    void sinkSideConvertsRateAndChannelsAndKeepsTheDuration() throws Exception {
        AudioFormat speaker = new AudioFormat(44_100, 2, 16, 441);
        CollectingSink out = new CollectingSink(speaker);
        AudioSink sink = ConvertingSink.of(out, AudioFormat.ORIGINAL);
        ToneSource tone = new ToneSource(AudioFormat.ORIGINAL, 440, 0.5);
        short[] frame = new short[512];
        for (int i = 0; i < 100; i++) { // 51200 samples = 2.56 s
            tone.read(frame);
            sink.write(frame);
        }
        sink.close();
        short[] all = out.all();
        int frames = all.length / 2;
        // 2.56 s at 44100 Hz = 112896 frames, exactly 256 frames of 441
        assertThat(frames).isEqualTo(112_896);
        short[] left = Signals.channel(all, 2, 0);
        assertThat(left).isEqualTo(Signals.channel(all, 2, 1));
        assertThat(ToneDetector.dominantFrequency(Signals.slice(left, 4_410, 100_000), 44_100))
                .isCloseTo(440, within(1.0));
    }

    @Test
    void aRealTimeSinkGetsEachPartAtOnceAndAFileSinkWholeFrames() throws Exception {
        AudioFormat speaker = new AudioFormat(48_000, 1, 16, 960);
        List<Integer> deviceWrites = new ArrayList<>();
        AudioSink device = new AudioSink() {
            @Override
            public AudioFormat format() {
                return speaker;
            }

            @Override
            public void write(short[] samples, int offset, int length) {
                deviceWrites.add(length);
            }

            @Override
            public boolean isRealTime() {
                return true;
            }
        };
        AudioSink sink = ConvertingSink.of(device, AudioFormat.ORIGINAL);
        CollectingSink file = new CollectingSink(speaker);
        AudioSink toFile = ConvertingSink.of(file, AudioFormat.ORIGINAL);
        ToneSource tone = new ToneSource(AudioFormat.ORIGINAL, 440, 0.5);
        short[] frame = new short[512];
        int total = 0;
        for (int i = 0; i < 40; i++) {
            tone.read(frame);
            for (int part = 0; part < 4; part++) {
                int before = deviceWrites.size();
                sink.write(frame, part * 128, 128);
                toFile.write(frame, part * 128, 128);
                if (i > 0) {
                    // 128 samples at 20 kHz are 307.2 at 48 kHz: each part reaches the device at once
                    assertThat(deviceWrites.size()).isGreaterThan(before);
                }
            }
        }
        total = deviceWrites.stream().mapToInt(Integer::intValue).sum();
        assertThat(deviceWrites).allMatch(n -> n > 0 && n <= 960);
        // 40 frames of 25.6 ms = 1.024 s = 49152 samples at 48 kHz, less what the resampler holds
        assertThat(total).isBetween(49_152 - 960, 49_152);
        assertThat(file.frames).hasSize(total / 960);
    }

    @Test
    void stereoIsAveragedToMono() throws Exception {
        AudioFormat stereo = new AudioFormat(20_000, 2, 16, 100);
        AudioSource lr = new AudioSource() {
            @Override
            public AudioFormat format() {
                return stereo;
            }

            @Override
            public boolean read(short[] frame) {
                for (int i = 0; i < 100; i++) {
                    frame[2 * i] = 1000;
                    frame[2 * i + 1] = -200;
                }
                return true;
            }
        };
        short[] s = Signals.read(ConvertingSource.of(lr, new AudioFormat(20_000, 1, 16, 64)), 10);
        assertThat(s).containsOnly((short) 400);
    }

    @Test
    void theSameFormatIsNotWrapped() {
        AudioSource tone = new ToneSource(AudioFormat.ORIGINAL, 440, 0.5);
        assertThat(ConvertingSource.of(tone, AudioFormat.ORIGINAL)).isSameAs(tone);
        NullSink sink = new NullSink(AudioFormat.ORIGINAL);
        assertThat(ConvertingSink.of(sink, AudioFormat.ORIGINAL)).isSameAs(sink);
    }
}
