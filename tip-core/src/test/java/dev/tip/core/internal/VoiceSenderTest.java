package dev.tip.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import dev.tip.core.voice.VoiceDatagram;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class VoiceSenderTest {

    private static short[] frame(int seed) {
        short[] f = new short[512];
        for (int i = 0; i < f.length; i++) {
            f[i] = (short) (seed * 1000 + i * 37 - 9000);
        }
        return f;
    }

    @Test
    void writesTheHeaderAndTheFrameAsLittleEndianPcm() {
        VoiceSender sender = new VoiceSender(AudioFormat.ORIGINAL, 999, 7, 1000);
        short[] f = frame(1);
        ByteBuffer b = sender.encode(f);
        assertThat(b.position()).isZero();
        assertThat(b.remaining()).isEqualTo(10 + 1024);
        VoiceDatagram d = new VoiceDatagram().wrap(b, 0, b.remaining());
        assertThat(d.check()).isEqualTo(VoiceDatagram.OK);
        assertThat(d.marker()).isTrue();
        assertThat(d.payloadType()).isEqualTo(PayloadType.PCM);
        assertThat(d.senderId()).isEqualTo(999);
        assertThat(d.sequence()).isEqualTo(7);
        assertThat(d.timestamp()).isEqualTo(1000);
        for (int i = 0; i < 512; i++) {
            short v = (short) ((b.get(10 + 2 * i) & 0xFF) | (b.get(11 + 2 * i) << 8));
            assertThat(v).isEqualTo(f[i]);
        }
        assertThat(b.get(0) & 0xFF).as("version 2 with the marker").isEqualTo(0xA0);
    }

    @Test
    void sequenceAndTimestampAdvanceAndWrapAndOnlyTheFirstFrameIsMarked() {
        VoiceSender sender = new VoiceSender(AudioFormat.ORIGINAL, 1, 65_534, 0xFFFF_FF00L);
        VoiceDatagram d = new VoiceDatagram();
        int[] seq = new int[4];
        long[] ts = new long[4];
        boolean[] marker = new boolean[4];
        for (int i = 0; i < 4; i++) {
            ByteBuffer b = sender.encode(frame(i));
            d.wrap(b, 0, b.remaining());
            seq[i] = d.sequence();
            ts[i] = d.timestamp();
            marker[i] = d.marker();
        }
        assertThat(seq).containsExactly(65_534, 65_535, 0, 1);
        assertThat(ts).containsExactly(0xFFFF_FF00L, 0x100L, 0x300L, 0x500L);
        assertThat(marker).containsExactly(true, false, false, false);
    }

    @Test
    void skippedFramesMoveTheTimestampNotTheSequenceAndMarkTheNextFrame() {
        VoiceSender sender = new VoiceSender(AudioFormat.ORIGINAL, 1, 0, 0);
        VoiceDatagram d = new VoiceDatagram();
        sender.encode(frame(0));
        sender.encode(frame(1));
        sender.skip(0);
        ByteBuffer b = sender.encode(frame(2));
        assertThat(d.wrap(b, 0, b.remaining()).marker())
                .as("skip(0) changes nothing")
                .isFalse();
        sender.skip(3);
        b = sender.encode(frame(3));
        d.wrap(b, 0, b.remaining());
        assertThat(d.marker()).isTrue();
        assertThat(d.sequence()).isEqualTo(3);
        assertThat(d.timestamp()).isEqualTo(6 * 512);
        assertThat(sender.nextSequence()).isEqualTo(4);
        assertThat(sender.nextTimestamp()).isEqualTo(7 * 512);
    }

    @Test
    void helloAndKeepaliveCarryTheSessionIdAndTheToken() {
        ByteBuffer hello = VoiceSender.control(PayloadType.HELLO, 3, 0x5f1c0a9e33d2b871L);
        byte[] expected = {
            (byte) 0x80, 16, 0, 3, 0, 0, 0, 0, 0, 0, 0x5f, 0x1c, 0x0a, (byte) 0x9e, 0x33, (byte) 0xd2, (byte) 0xb8, 0x71
        };
        assertThat(hello.array()).containsExactly(expected);
        VoiceDatagram d = new VoiceDatagram().wrap(VoiceSender.control(PayloadType.KEEPALIVE, 3, -1L), 0, 18);
        assertThat(d.check()).isEqualTo(VoiceDatagram.OK);
        assertThat(d.payloadType()).isEqualTo(PayloadType.KEEPALIVE);
        assertThat(d.token()).isEqualTo(-1L);
    }
}
