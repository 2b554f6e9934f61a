package dev.tip.core.internal;

import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;
import java.util.Arrays;

/**
 * A codec for tests of the receive side, written to the {@link VoiceCodec} contract: a packet
 * carries one sample value for its whole frame and, as in-band FEC, the previous packet's value,
 * so that what the decoder rebuilt can be told apart: a frame recovered from FEC has the lost
 * packet's value, a concealed one {@link #CONCEALED}.
 */
final class FecTestCodec implements VoiceCodec {

    /** The value of every sample the decoder's concealment writes. */
    static final short CONCEALED = 7;

    @Override
    public String name() {
        return "fec-test";
    }

    @Override
    public int payloadType() {
        return PayloadType.OPUS;
    }

    @Override
    public int clockRate() {
        return 48_000;
    }

    @Override
    public int packetDuration() {
        return 960;
    }

    /** Writes packet {@code value} (its frame's value) carrying {@code previous} as its FEC. */
    static int packet(short value, short previous, byte[] out, int offset) {
        out[offset] = (byte) value;
        out[offset + 1] = (byte) (value >> 8);
        out[offset + 2] = (byte) previous;
        out[offset + 3] = (byte) (previous >> 8);
        return 4;
    }

    private static short read(byte[] p, int at) {
        return (short) ((p[at] & 0xFF) | (p[at + 1] << 8));
    }

    @Override
    public Encoder newEncoder(AudioFormat room, int bitrate) {
        throw new UnsupportedOperationException("receive-side tests write packets with packet()");
    }

    @Override
    public Decoder newDecoder(AudioFormat room) {
        return new Decoder() {
            @Override
            public boolean decode(byte[] packet, int offset, int length, short[] pcm) {
                if (length != 4) {
                    return false;
                }
                Arrays.fill(pcm, read(packet, offset));
                return true;
            }

            @Override
            public boolean recover(byte[] next, int offset, int length, short[] pcm) {
                if (length != 4) {
                    return false;
                }
                Arrays.fill(pcm, read(next, offset + 2));
                return true;
            }

            @Override
            public void conceal(short[] pcm) {
                Arrays.fill(pcm, CONCEALED);
            }
        };
    }
}
