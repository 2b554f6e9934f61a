package dev.tip.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tip.core.voice.AudioFormat;
import org.junit.jupiter.api.Test;

class OpusFrameCodecTest {
    private static final AudioFormat OPUS = new AudioFormat(48_000, 1, 16, 960);

    @Test
    void aToneSurvivesEncodingAndDecodingAtASmallFractionOfThePcmSize() {
        OpusFrameEncoder encoder = new OpusFrameEncoder(OPUS, OpusFrameEncoder.DEFAULT_BITRATE);
        OpusFrameDecoder decoder = new OpusFrameDecoder(OPUS);
        ToneSource tone = new ToneSource(OPUS, 440, 0.5);
        short[] frame = new short[960];
        short[] decoded = new short[960];
        byte[] packet = new byte[OpusFrameEncoder.MAX_PACKET_BYTES];
        short[] heard = new short[50 * 960];
        int totalBytes = 0;
        for (int i = 0; i < 50; i++) {
            tone.read(frame);
            int length = encoder.encode(frame, packet, 0);
            totalBytes += length;
            assertThat(decoder.decode(packet, 0, length, decoded)).isTrue();
            System.arraycopy(decoded, 0, heard, i * 960, 960);
        }
        assertThat(totalBytes).isLessThan(50 * 1920 / 10); // under a tenth of 16-bit PCM
        short[] steady = Signals.slice(heard, 9_600, heard.length);
        assertThat(ToneDetector.dominantFrequency(steady, 48_000)).isCloseTo(440, within(2.0));
        assertThat(ToneDetector.amplitude(steady, 48_000, 440)).isCloseTo(0.5, within(0.1));
    }

    @Test
    void aLostPacketIsConcealedAndAMalformedOneIsReportedNotThrown() {
        OpusFrameEncoder encoder = new OpusFrameEncoder(OPUS, OpusFrameEncoder.DEFAULT_BITRATE);
        OpusFrameDecoder decoder = new OpusFrameDecoder(OPUS);
        ToneSource tone = new ToneSource(OPUS, 440, 0.5);
        short[] frame = new short[960];
        byte[] packet = new byte[OpusFrameEncoder.MAX_PACKET_BYTES];
        for (int i = 0; i < 10; i++) {
            tone.read(frame);
            decoder.decode(packet, 0, encoder.encode(frame, packet, 0), frame);
        }
        short[] concealed = new short[960];
        decoder.conceal(concealed);
        assertThat(Signals.peak(concealed)).isGreaterThan(1_000); // the voice goes on, no gap
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThat(decoder.decode(garbage, 0, garbage.length, frame)).isFalse();
    }

    @Test
    void theOriginalFormatIsNotAnOpusFormat() {
        assertThat(OpusFrameEncoder.supports(AudioFormat.ORIGINAL)).isFalse();
        assertThat(OpusFrameEncoder.supports(new AudioFormat(16_000, 1, 16, 320)))
                .isTrue();
        assertThat(OpusFrameEncoder.supports(new AudioFormat(48_000, 2, 16, 2880)))
                .isTrue();
        assertThat(OpusFrameEncoder.supports(new AudioFormat(44_100, 1, 16, 441)))
                .isFalse();
        assertThatThrownBy(() -> new OpusFrameEncoder(AudioFormat.ORIGINAL, 24_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format");
        assertThatThrownBy(() -> new OpusFrameDecoder(AudioFormat.ORIGINAL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("format");
    }
}
