package dev.tip.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tip.core.voice.AudioFormat;
import dev.tip.testing.ToneDetector;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavFileTest {
    @TempDir
    Path dir;

    /** Writes a sine with Java Sound itself, in any PCM layout, so the reader meets real files. */
    private Path writeTone(
            String name,
            float rate,
            int bits,
            int channels,
            boolean signed,
            boolean bigEndian,
            double hz,
            double amplitude,
            double seconds)
            throws IOException {
        javax.sound.sampled.AudioFormat f =
                new javax.sound.sampled.AudioFormat(rate, bits, channels, signed, bigEndian);
        int frames = (int) (rate * seconds);
        int bytesPerSample = bits / 8;
        byte[] data = new byte[frames * channels * bytesPerSample];
        int i = 0;
        for (int n = 0; n < frames; n++) {
            double v = amplitude * Math.sin(2 * Math.PI * hz * n / rate);
            for (int c = 0; c < channels; c++) {
                if (bits == 8) {
                    int s = (int) Math.round(v * 127);
                    data[i++] = (byte) (signed ? s : s + 128);
                } else {
                    int s = (int) Math.round(v * 32767);
                    if (bigEndian) {
                        data[i++] = (byte) (s >> 8);
                        data[i++] = (byte) s;
                    } else {
                        data[i++] = (byte) s;
                        data[i++] = (byte) (s >> 8);
                    }
                }
            }
        }
        Path file = dir.resolve(name);
        AudioFileFormat.Type type = name.endsWith(".aiff") ? AudioFileFormat.Type.AIFF : AudioFileFormat.Type.WAVE;
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(data), f, frames)) {
            AudioSystem.write(in, type, file.toFile());
        }
        return file;
    }

    @Test
    void framesWrittenToAWavFileReadBackIdentically() throws Exception {
        AudioFormat format = AudioFormat.ORIGINAL;
        Path file = dir.resolve("round.wav");
        java.util.Random random = new java.util.Random(7);
        short[] written = new short[30 * 512];
        for (int i = 0; i < written.length; i++) {
            written[i] = (short) random.nextInt();
        }
        try (WavFileSink sink = new WavFileSink(file, format)) {
            short[] frame = new short[512];
            for (int f = 0; f < 30; f++) {
                System.arraycopy(written, f * 512, frame, 0, 512);
                sink.write(frame);
            }
            assertThat(sink.framesWritten()).isEqualTo(30);
        }
        javax.sound.sampled.AudioFormat onDisk =
                AudioSystem.getAudioFileFormat(file.toFile()).getFormat();
        assertThat(onDisk.getSampleRate()).isEqualTo(20_000f);
        assertThat(onDisk.getChannels()).isEqualTo(1);
        assertThat(onDisk.getSampleSizeInBits()).isEqualTo(16);
        assertThat(AudioSystem.getAudioFileFormat(file.toFile()).getFrameLength())
                .isEqualTo(30 * 512);
        try (WavFileSource source = new WavFileSource(file, format, false)) {
            assertThat(Signals.readAll(source)).isEqualTo(written);
        }
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file); // the temporary raw file is gone
        }
    }

    @Test
    void aStereoRecordingRoundTripsToo() throws Exception {
        AudioFormat stereo = new AudioFormat(48_000, 2, 16, 960);
        Path file = dir.resolve("stereo.wav");
        short[] frame = new short[stereo.frameLength()];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (short) (i % 2 == 0 ? i : -i);
        }
        try (WavFileSink sink = new WavFileSink(file, stereo)) {
            sink.write(frame);
            sink.write(frame);
        }
        try (WavFileSource source = new WavFileSource(file, stereo, false)) {
            short[] back = Signals.readAll(source);
            assertThat(Signals.slice(back, 0, frame.length)).isEqualTo(frame);
            assertThat(Signals.slice(back, frame.length, 2 * frame.length)).isEqualTo(frame);
            assertThat(back).hasSize(2 * frame.length);
        }
    }

    @Test
    void anEightBitStereoFileAt44kHzIsConvertedToTheOriginalFormat() throws Exception {
        Path file = writeTone("u8.wav", 44_100, 8, 2, false, false, 880, 0.5, 1.0);
        try (WavFileSource source = new WavFileSource(file, AudioFormat.ORIGINAL, false)) {
            assertThat(source.fileFormat().getSampleSizeInBits()).isEqualTo(8);
            short[] s = Signals.readAll(source);
            // one second at 20 kHz, padded to whole 512-sample frames
            assertThat(s.length).isEqualTo(40 * 512);
            short[] steady = Signals.slice(s, 1_000, 19_000);
            assertThat(ToneDetector.dominantFrequency(steady, 20_000)).isCloseTo(880, within(1.0));
            assertThat(ToneDetector.amplitude(steady, 20_000, 880)).isCloseTo(0.5, within(0.02));
            assertThat(ToneDetector.detect(steady, 20_000, new double[] {440, 880, 1760}))
                    .containsExactly(880.0);
        }
    }

    @Test
    void aSixteenBitBigEndianAiffMonoFileAt16kHzBecomesStereo48kHz() throws Exception {
        Path file = writeTone("be.aiff", 16_000, 16, 1, true, true, 500, 0.25, 0.5);
        AudioFormat wanted = new AudioFormat(48_000, 2, 16, 960);
        try (WavFileSource source = new WavFileSource(file, wanted, false)) {
            short[] s = Signals.readAll(source);
            assertThat(s.length).isEqualTo(25 * 960 * 2);
            short[] left = Signals.channel(s, 2, 0);
            assertThat(left).isEqualTo(Signals.channel(s, 2, 1));
            short[] steady = Signals.slice(left, 2_000, 22_000);
            assertThat(ToneDetector.dominantFrequency(steady, 48_000)).isCloseTo(500, within(1.0));
            assertThat(ToneDetector.amplitude(steady, 48_000, 500)).isCloseTo(0.25, within(0.01));
        }
    }

    @Test
    void aLoopingSourceStartsAgainAtTheEndOfTheFile() throws Exception {
        Path file = writeTone("short.wav", 20_000, 16, 1, true, false, 1000, 0.5, 0.1);
        try (WavFileSource source = new WavFileSource(file, AudioFormat.ORIGINAL, true)) {
            short[] s = Signals.read(source, 100); // 2.56 s out of a 0.1 s file
            // 0.1 s holds exactly 100 cycles of 1 kHz, so the loop is seamless
            assertThat(ToneDetector.dominantFrequency(s, 20_000)).isCloseTo(1000, within(1.0));
            assertThat(Signals.largestStep(s)).isLessThan(5_300);
        }
    }

    @Test
    void somethingThatIsNotASoundFileIsAClearIoError() throws Exception {
        Path file = dir.resolve("notes.wav");
        Files.writeString(file, "not a sound file at all, just text");
        assertThatThrownBy(() -> new WavFileSource(file, AudioFormat.ORIGINAL, false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("notes.wav")
                .hasMessageContaining("not a sound file");
        assertThatThrownBy(() -> new WavFileSource(dir.resolve("missing.wav"), AudioFormat.ORIGINAL, false))
                .isInstanceOf(IOException.class);
    }

    @Test
    void whatATonePlaysIntoARecordingIsDetectedInTheFile() throws Exception {
        Path file = dir.resolve("heard.wav");
        ToneSource tone = new ToneSource(AudioFormat.ORIGINAL, 660, 0.3);
        try (WavFileSink sink = new WavFileSink(file, AudioFormat.ORIGINAL)) {
            short[] frame = new short[512];
            for (int i = 0; i < 40; i++) {
                tone.read(frame);
                sink.write(frame);
            }
        }
        try (WavFileSource source = new WavFileSource(file, AudioFormat.ORIGINAL, false)) {
            short[] s = Signals.readAll(source);
            assertThat(ToneDetector.detect(s, 20_000, new double[] {440, 660, 880}))
                    .containsExactly(660.0);
        }
    }
}
