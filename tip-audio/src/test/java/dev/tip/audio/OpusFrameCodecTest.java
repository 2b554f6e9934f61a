package dev.tip.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tip.core.voice.AudioFormat;
import dev.tip.testing.ArtificialVoice;
import dev.tip.testing.ToneDetector;
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

    @Test
    void silenceIsCodedAsDtxPacketsThatNeedNotBeSent() {
        OpusFrameEncoder encoder = new OpusFrameEncoder(OPUS, OpusFrameEncoder.DEFAULT_BITRATE);
        short[] silence = new short[960];
        byte[] packet = new byte[OpusFrameEncoder.MAX_PACKET_BYTES];
        int silent = 0;
        for (int i = 0; i < 100; i++) { // 2 s of silence
            if (OpusFrameEncoder.isSilence(encoder.encode(silence, packet, 0))) {
                silent++;
            }
        }
        // Opus sends a comfort-noise update every 400 ms or so and codes the rest as DTX
        assertThat(silent).isGreaterThanOrEqualTo(80);
        ToneSource tone = new ToneSource(OPUS, 440, 0.5);
        short[] frame = new short[960];
        tone.read(frame);
        tone.read(frame);
        assertThat(OpusFrameEncoder.isSilence(encoder.encode(frame, packet, 0))).isFalse();
    }

    @Test
    void aLostFrameRecoveredFromTheNextPacketsFecIsCloserToTheVoiceThanConcealment() {
        OpusFrameEncoder encoder = new OpusFrameEncoder(OPUS, OpusFrameEncoder.DEFAULT_BITRATE);
        encoder.setPacketLossPercent(20);
        assertThat(encoder.packetLossPercent()).isEqualTo(20);
        OpusFrameDecoder withFec = new OpusFrameDecoder(OPUS);
        OpusFrameDecoder withPlc = new OpusFrameDecoder(OPUS);
        // a voice-like signal whose pitch changes every frame, so that concealment cannot guess it
        short[][] frames = new short[60][960];
        for (int f = 0; f < frames.length; f++) {
            double hz = 200 + 37 * (f % 7);
            for (int i = 0; i < 960; i++) {
                frames[f][i] = (short) (12_000 * Math.sin(2 * Math.PI * hz * (f * 960 + i) / 48_000.0));
            }
        }
        byte[][] packets = new byte[frames.length][];
        byte[] packet = new byte[OpusFrameEncoder.MAX_PACKET_BYTES];
        for (int f = 0; f < frames.length; f++) {
            int n = encoder.encode(frames[f], packet, 0);
            packets[f] = java.util.Arrays.copyOf(packet, n);
        }
        short[] out = new short[960];
        double fecError = 0;
        double plcError = 0;
        for (int f = 0; f < frames.length; f++) {
            boolean lost = f > 10 && f % 5 == 0;
            if (lost) {
                assertThat(withFec.recover(packets[f + 1], 0, packets[f + 1].length, out))
                        .isTrue();
                fecError += error(frames[f], out);
                withPlc.conceal(out);
                plcError += error(frames[f], out);
            } else {
                withFec.decode(packets[f], 0, packets[f].length, out);
                withPlc.decode(packets[f], 0, packets[f].length, out);
            }
        }
        assertThat(fecError).isLessThan(plcError * 0.7);
    }

    @Test
    void carriesFecTellsExactlyWhichPacketsHoldFecForTheLostOne() {
        short[] voice = ArtificialVoice.generate(48_000, 300 * 960, 7);
        byte[][] packets = encode(voice, 20);
        int with = 0;
        int without = 0;
        short[] rebuilt = new short[960];
        short[] concealed = new short[960];
        for (int k = 6; k + 1 < packets.length; k++) {
            // two decoders in the same state; one rebuilds packet k from packet k+1, one conceals it
            OpusFrameDecoder a = decoded(packets, k);
            OpusFrameDecoder b = decoded(packets, k);
            assertThat(a.recover(packets[k + 1], 0, packets[k + 1].length, rebuilt))
                    .isTrue();
            b.conceal(concealed);
            boolean fec = OpusFrameDecoder.carriesFec(packets[k + 1], 0, packets[k + 1].length);
            assertThat(fec)
                    .as("packet %d: FEC data differs from concealment", k + 1)
                    .isEqualTo(!java.util.Arrays.equals(rebuilt, concealed));
            if (fec) {
                with++;
            } else {
                without++;
            }
        }
        // voiced frames carry FEC, pauses and fricatives do not
        assertThat(with).isPositive();
        assertThat(without).isPositive();
    }

    @Test
    void noPacketCarriesFecWhenTheEncoderExpectsNoLoss() {
        byte[][] packets = encode(ArtificialVoice.generate(48_000, 100 * 960, 8), 0);
        for (int k = 0; k < packets.length; k++) {
            assertThat(OpusFrameDecoder.carriesFec(packets[k], 0, packets[k].length))
                    .as("packet %d", k)
                    .isFalse();
        }
        assertThat(OpusFrameDecoder.carriesFec(new byte[] {(byte) 0x08}, 0, 1))
                .as("a packet too short to hold the flags")
                .isFalse();
    }

    private static byte[][] encode(short[] pcm, int lossPercent) {
        OpusFrameEncoder encoder = new OpusFrameEncoder(OPUS, OpusFrameEncoder.DEFAULT_BITRATE);
        encoder.setPacketLossPercent(lossPercent);
        byte[][] packets = new byte[pcm.length / 960][];
        byte[] packet = new byte[OpusFrameEncoder.MAX_PACKET_BYTES];
        short[] frame = new short[960];
        for (int f = 0; f < packets.length; f++) {
            System.arraycopy(pcm, f * 960, frame, 0, 960);
            packets[f] = java.util.Arrays.copyOf(packet, encoder.encode(frame, packet, 0));
        }
        return packets;
    }

    /** A fresh decoder that decoded the five packets before packet k. */
    private static OpusFrameDecoder decoded(byte[][] packets, int k) {
        OpusFrameDecoder d = new OpusFrameDecoder(OPUS);
        short[] out = new short[960];
        for (int i = k - 5; i < k; i++) {
            d.decode(packets[i], 0, packets[i].length, out);
        }
        return d;
    }

    private static double error(short[] expected, short[] actual) {
        // energy of the difference, allowing for the codec's delay by taking the best of small shifts
        double best = Double.MAX_VALUE;
        for (int shift = 0; shift <= 480; shift += 8) {
            double e = 0;
            for (int i = shift; i < expected.length; i++) {
                double d = expected[i - shift] - actual[i];
                e += d * d;
            }
            best = Math.min(best, e / (expected.length - shift));
        }
        return best;
    }

    @Test
    void theBitrateAndTheExpectedLossAreCheckedAndApplied() {
        OpusFrameEncoder encoder = new OpusFrameEncoder(OPUS, OpusFrameEncoder.DEFAULT_BITRATE);
        encoder.setBitrate(16_000);
        assertThat(encoder.bitrate()).isEqualTo(16_000);
        assertThatThrownBy(() -> encoder.setBitrate(5_000)).hasMessageContaining("bitrate");
        assertThatThrownBy(() -> encoder.setPacketLossPercent(101)).hasMessageContaining("percent");
    }
}
