package dev.tip.audio;

import dev.tip.audio.internal.PacketResampler;
import dev.tip.core.audio.VoiceCodec;
import dev.tip.core.voice.AudioFormat;
import dev.tip.core.voice.PayloadType;

/**
 * Opus as a TIP/2 voice codec: mono, 20 ms packets, the VOIP application, in-band FEC
 * ({@link OpusFrameEncoder}, {@link OpusFrameDecoder}), timestamps at 48 kHz; silence (every sample
 * within {@link #SILENCE_LEVEL}, after {@link #SILENCE_HANGOVER_PACKETS} packets of it) is not
 * coded or sent, a level gate in place of Opus's own DTX, whose voice detector cuts steady tones; inside, the room's
 * samples are resampled once to and from the rate Opus codes at (24 kHz for rooms up to 24 kHz,
 * such as the original's 20 kHz; else 48 kHz). tip-core finds it through {@link java.util.ServiceLoader} when tip-audio
 * is on the class or module path, so a client and a server with tip-audio speak Opus by default.
 */
public final class OpusCodec implements VoiceCodec {
    /** The codec's name in the handshake. */
    public static final String NAME = "opus";
    /** Opus's timestamp clock, as RFC 7587 has it. */
    public static final int CLOCK_RATE = 48_000;
    /** Samples of 48 kHz in one 20 ms packet. */
    public static final int PACKET_DURATION = 960;
    /**
     * The level at or below which a packet's samples count as silence: 32 of 32767 (about -60
     * dBFS, below a quiet room through a microphone). A silence source and a muted device are
     * below it; speech, tones and music are above.
     */
    public static final int SILENCE_LEVEL = 32;
    /**
     * Quiet packets still sent before silence stops the stream (10: 200 ms), so that the end of a
     * word fades out in the listener's decoder instead of being cut.
     */
    public static final int SILENCE_HANGOVER_PACKETS = 10;

    /**
     * The rate Opus codes at for a room: 24 kHz (super-wideband) where the room's own band fits in
     * it, as in rooms of the original's 20 kHz, which costs less than 48 kHz for the same sound;
     * 48 kHz otherwise. Timestamps count 48 kHz either way.
     */
    static AudioFormat opusFormat(AudioFormat room) {
        int rate = room.sampleRate() <= 24_000 ? 24_000 : CLOCK_RATE;
        return new AudioFormat(rate, 1, 16, rate / 50);
    }

    /** Creates the codec; the {@link java.util.ServiceLoader} calls this. */
    public OpusCodec() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int payloadType() {
        return PayloadType.OPUS;
    }

    @Override
    public int clockRate() {
        return CLOCK_RATE;
    }

    @Override
    public int packetDuration() {
        return PACKET_DURATION;
    }

    @Override
    public Encoder newEncoder(AudioFormat room, int bitrate) {
        check(room);
        return new OpusEncoderAdapter(room, bitrate);
    }

    @Override
    public Decoder newDecoder(AudioFormat room) {
        check(room);
        return new OpusDecoderAdapter(room);
    }

    private void check(AudioFormat room) {
        if (!supports(room)) {
            throw new IllegalArgumentException("Opus packets of 20 ms are not a whole number of samples at " + room);
        }
    }

    @Override
    public String toString() {
        return "Opus (48 kHz mono, 20 ms)";
    }

    private static final class OpusEncoderAdapter implements Encoder {
        private final OpusFrameEncoder encoder;
        private final PacketResampler toOpus;
        private final short[] frame;
        private final int roomSamples;
        /** Packets in a row below the silence level; silence is not sent once it passes the hangover. */
        private int quietPackets;

        OpusEncoderAdapter(AudioFormat room, int bitrate) {
            AudioFormat opus = opusFormat(room);
            this.encoder = new OpusFrameEncoder(opus, bitrate);
            // Opus's VAD takes steady tones for silence (measured: 440 Hz cut in 5 of 6 packets);
            // the level gate below decides instead
            encoder.setDtx(false);
            this.frame = new short[opus.samplesPerFrame()];
            this.roomSamples = (int) ((long) PACKET_DURATION * room.sampleRate() / CLOCK_RATE);
            this.toOpus = room.sampleRate() == opus.sampleRate()
                    ? null
                    : new PacketResampler(room.sampleRate(), opus.sampleRate(), roomSamples, frame.length);
        }

        @Override
        public int encode(short[] pcm, int offset, byte[] packet, int packetOffset) {
            if (quiet(pcm, offset)) {
                if (++quietPackets > SILENCE_HANGOVER_PACKETS) {
                    return 0; // silence: not coded, not sent
                }
            } else {
                quietPackets = 0;
            }
            if (toOpus == null) {
                System.arraycopy(pcm, offset, frame, 0, frame.length);
            } else {
                toOpus.convert(pcm, offset, frame, 0);
            }
            return encoder.encode(frame, packet, packetOffset);
        }

        private boolean quiet(short[] pcm, int offset) {
            int n = roomSamples;
            for (int i = offset; i < offset + n; i++) {
                int v = pcm[i];
                if (v > SILENCE_LEVEL || v < -SILENCE_LEVEL) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean isSilence(int length) {
            return length == 0;
        }

        @Override
        public int maxPacketBytes() {
            return OpusFrameEncoder.MAX_PACKET_BYTES;
        }

        @Override
        public void setBitrate(int bitrate) {
            encoder.setBitrate(Math.max(6_000, Math.min(510_000, bitrate)));
        }

        @Override
        public int bitrate() {
            return encoder.bitrate();
        }

        @Override
        public void setPacketLossPercent(int percent) {
            encoder.setPacketLossPercent(Math.max(0, Math.min(100, percent)));
        }
    }

    private static final class OpusDecoderAdapter implements Decoder {
        private final OpusFrameDecoder decoder;
        private final PacketResampler fromOpus;
        private final short[] frame;

        OpusDecoderAdapter(AudioFormat room) {
            AudioFormat opus = opusFormat(room);
            this.decoder = new OpusFrameDecoder(opus);
            this.frame = new short[opus.samplesPerFrame()];
            int roomSamples = (int) ((long) PACKET_DURATION * room.sampleRate() / CLOCK_RATE);
            this.fromOpus = room.sampleRate() == opus.sampleRate()
                    ? null
                    : new PacketResampler(opus.sampleRate(), room.sampleRate(), frame.length, roomSamples);
        }

        private void out(short[] pcm) {
            if (fromOpus == null) {
                System.arraycopy(frame, 0, pcm, 0, frame.length);
            } else {
                fromOpus.convert(frame, 0, pcm, 0);
            }
        }

        @Override
        public boolean decode(byte[] packet, int offset, int length, short[] pcm) {
            boolean ok = decoder.decode(packet, offset, length, frame);
            out(pcm);
            return ok;
        }

        @Override
        public boolean recover(byte[] next, int offset, int length, short[] pcm) {
            if (!OpusFrameDecoder.carriesFec(next, offset, length)) {
                return false; // nothing to rebuild from: the caller's concealment, the decoder untouched
            }
            boolean ok = decoder.recover(next, offset, length, frame);
            out(pcm);
            return ok;
        }

        @Override
        public void conceal(short[] pcm) {
            decoder.conceal(frame);
            out(pcm);
        }
    }
}
