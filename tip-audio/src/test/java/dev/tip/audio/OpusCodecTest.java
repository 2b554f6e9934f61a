package dev.tip.audio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.voice.AudioFormat;
import dev.tip.testing.ToneDetector;
import org.junit.jupiter.api.Test;

/** Opus as TIP/2's codec in a room of the original's 20 kHz: packets, silence, the round trip. */
class OpusCodecTest {
    private static final AudioFormat ROOM = AudioFormat.ORIGINAL;

    /** Packets sent and packets left out as silence for 300 room frames of a source. */
    private static int[] sendAndSilence(ToneSource source) {
        VoiceCodec.Encoder e = new OpusCodec().newEncoder(ROOM, 24_000);
        short[] frame = new short[ROOM.frameLength()];
        short[] fifo = new short[2 * ROOM.frameLength()];
        byte[] packet = new byte[e.maxPacketBytes()];
        int n = 0;
        int sent = 0;
        int silent = 0;
        for (int k = 0; k < 300; k++) {
            source.read(frame);
            System.arraycopy(frame, 0, fifo, n, frame.length);
            n += frame.length;
            while (n >= 400) {
                int length = e.encode(fifo, 0, packet, 0);
                n -= 400;
                System.arraycopy(fifo, 400, fifo, 0, n);
                if (e.isSilence(length)) {
                    silent++;
                } else {
                    sent++;
                }
            }
        }
        return new int[] {sent, silent};
    }

    @Test
    void aSteadyToneIsAlwaysSentWhichOpusOwnDtxWouldCut() {
        // before the level gate, Opus's DTX coded 325 of these 384 packets as silence
        for (double hz : new double[] {440, 1511}) {
            int[] r = sendAndSilence(new ToneSource(ROOM, hz, 6000 / 32767.0));
            assertThat(r[1]).as("%s Hz packets left out", hz).isZero();
            assertThat(r[0]).isEqualTo(384);
        }
    }

    @Test
    void silenceStopsAfterTheHangover() {
        int[] r = sendAndSilence(new ToneSource(ROOM, 440, 0.0));
        assertThat(r[0]).as("sent before silence stops the stream").isEqualTo(OpusCodec.SILENCE_HANGOVER_PACKETS);
        assertThat(r[1]).isEqualTo(384 - OpusCodec.SILENCE_HANGOVER_PACKETS);
    }

    @Test
    void aToneComesBackAtItsFrequencyAfterTheRoundTrip() {
        VoiceCodec c = new OpusCodec();
        VoiceCodec.Encoder e = c.newEncoder(ROOM, 24_000);
        VoiceCodec.Decoder d = c.newDecoder(ROOM);
        assertThat(c.packetSamples(ROOM)).isEqualTo(400);
        // 400-sample frames of a 20 kHz tone: one packet each
        ToneSource tone = new ToneSource(new AudioFormat(20_000, 1, 16, 400), 1013, 0.25);
        short[] in = new short[400];
        short[] out = new short[400];
        byte[] packet = new byte[e.maxPacketBytes()];
        for (int k = 0; k < 100; k++) {
            tone.read(in);
            int length = e.encode(in, 0, packet, 0);
            assertThat(d.decode(packet, 0, length, out)).isTrue();
        }
        double at = ToneDetector.amplitude(out, 20_000, 1013);
        assertThat(at).as("the tone's level after the round trip").isBetween(0.15, 0.35);
        assertThat(at).isGreaterThan(10 * ToneDetector.amplitude(out, 20_000, 1511));
        assertThat(at).isGreaterThan(10 * ToneDetector.amplitude(out, 20_000, 500));
    }
}
