package dev.tip.audio;

import dev.tip.core.voice.AudioFormat;
import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusBandwidth;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusSignal;
import java.util.Objects;

/**
 * Compresses PCM frames to Opus packets (pure Java, through Concentus), one packet per frame.
 * Opus takes 8000, 12000, 16000, 24000 or 48000 Hz and frames of 2.5, 5, 10, 20, 40 or 60 ms,
 * so the original 20 kHz, 25.6 ms format cannot be used as is: convert to, say, 48000 Hz and 960
 * samples (20 ms) first. Confined to one thread (the capture thread).
 *
 * <pre>{@code
 * AudioFormat f = new AudioFormat(48_000, 1, 16, 960);
 * OpusFrameEncoder encoder = new OpusFrameEncoder(f, OpusFrameEncoder.DEFAULT_BITRATE);
 * byte[] packet = new byte[OpusFrameEncoder.MAX_PACKET_BYTES];
 * int length = encoder.encode(frame, packet, 0);
 * }</pre>
 */
public final class OpusFrameEncoder {
    /** Default bit rate: clear wide-band speech. */
    public static final int DEFAULT_BITRATE = 24_000;

    /** The largest Opus packet for one frame; a buffer this long always suffices. */
    public static final int MAX_PACKET_BYTES = 1275;

    /**
     * The longest packet that Opus's discontinuous transmission writes for a frame of silence: such
     * a packet carries nothing a listener needs and is not sent (the receiver conceals, then fades).
     */
    public static final int MAX_DTX_PACKET_BYTES = 2;

    /** From this bit rate up, the encoder may code more than wide band and still carry FEC. */
    public static final int FEC_FULL_BAND_BITRATE = 32_000;

    /** The encoder's complexity, 0..10. */
    public static final int COMPLEXITY = 5;

    private final AudioFormat format;
    private final OpusEncoder encoder;

    /**
     * Creates an encoder tuned for voice.
     *
     * @param format the frames' format; see {@link #supports(AudioFormat)}
     * @param bitrate bits per second, 6000..510000
     */
    public OpusFrameEncoder(AudioFormat format, int bitrate) {
        this.format = Objects.requireNonNull(format, "format");
        if (!supports(format)) {
            throw new IllegalArgumentException("format must have a rate of 8000/12000/16000/24000/48000 Hz and frames "
                    + "of 2.5/5/10/20/40/60 ms for Opus, was " + format);
        }
        if (bitrate < 6_000 || bitrate > 510_000) {
            throw new IllegalArgumentException("bitrate must be 6000..510000, was " + bitrate);
        }
        try {
            encoder = new OpusEncoder(format.sampleRate(), format.channels(), OpusApplication.OPUS_APPLICATION_VOIP);
        } catch (OpusException e) {
            throw new IllegalStateException("Opus refused " + format + ": " + e.getMessage(), e);
        }
        applyBitrate(bitrate);
        encoder.setSignalType(OpusSignal.OPUS_SIGNAL_VOICE);
        // complexity 5 of 10: Concentus (pure Java) at 10 takes several milliseconds of a core per
        // 20 ms packet; 5 is a fraction of that with speech quality close to it (libopus's own
        // guidance for constrained devices)
        encoder.setComplexity(COMPLEXITY);
        // in-band FEC: each packet also carries a coarse copy of the previous frame, which the
        // receiver decodes when that frame was lost; it costs bits only once loss is reported
        encoder.setUseInbandFEC(true);
        encoder.setPacketLossPercent(0);
        // DTX: silence is coded as packets of at most MAX_DTX_PACKET_BYTES, which the sender drops
        encoder.setUseDTX(true);
    }

    /**
     * Turns Opus's own DTX on (the default) or off. Opus decides what is silence with its voice
     * activity detector, which also takes some steady tones and music for silence (a 440 Hz tone
     * at -15 dBFS is coded as DTX five packets in six); a sender that must never cut such signals
     * turns it off and gates on the level itself, as {@link OpusCodec} does.
     *
     * @param enabled true for Opus's DTX
     */
    public void setDtx(boolean enabled) {
        encoder.setUseDTX(enabled);
    }

    /**
     * Sets the bit rate for the frames from now on (a receiver's or the server's cap may lower it).
     *
     * @param bitrate bits per second, 6000..510000
     */
    public void setBitrate(int bitrate) {
        if (bitrate < 6_000 || bitrate > 510_000) {
            throw new IllegalArgumentException("bitrate must be 6000..510000, was " + bitrate);
        }
        applyBitrate(bitrate);
    }

    private void applyBitrate(int bitrate) {
        encoder.setBitrate(bitrate);
        // Below FEC_FULL_BAND_BITRATE Opus would code speech super- or full-band and leave no room
        // for FEC (measured with Concentus: no recovery at all at 24 kbit/s full band); wide band
        // (audio to 8 kHz, what voice chat needs) keeps FEC working from about 20 kbit/s.
        encoder.setMaxBandwidth(
                bitrate < FEC_FULL_BAND_BITRATE
                        ? OpusBandwidth.OPUS_BANDWIDTH_WIDEBAND
                        : OpusBandwidth.OPUS_BANDWIDTH_FULLBAND);
    }

    /**
     * Returns the bit rate in use.
     *
     * @return bits per second
     */
    public int bitrate() {
        return encoder.getBitrate();
    }

    /**
     * Tells the encoder how much loss the listeners see, so that it spends enough of each packet
     * on forward error correction: 0 turns FEC's cost off, higher values make it stronger.
     *
     * @param percent the expected packet loss, 0..100
     */
    public void setPacketLossPercent(int percent) {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be 0..100, was " + percent);
        }
        encoder.setPacketLossPercent(percent);
    }

    /**
     * Returns the expected loss the encoder is tuned for.
     *
     * @return percent, 0..100
     */
    public int packetLossPercent() {
        return encoder.getPacketLossPercent();
    }

    /**
     * Tells whether a packet that {@link #encode} returned is a DTX packet of silence, which a sender
     * does not need to transmit.
     *
     * @param length the packet's length as {@link #encode} returned it
     * @return true for a packet of silence
     */
    public static boolean isSilence(int length) {
        return length <= MAX_DTX_PACKET_BYTES;
    }

    /**
     * Tells whether Opus can code frames of this format.
     *
     * @param format a format
     * @return true if its rate and frame duration are ones Opus takes
     */
    public static boolean supports(AudioFormat format) {
        int rate = format.sampleRate();
        if (rate != 8_000 && rate != 12_000 && rate != 16_000 && rate != 24_000 && rate != 48_000) {
            return false;
        }
        // frame sizes in units of 2.5 ms: 1, 2, 4, 8, 16, 24
        int unit = rate / 400;
        int n = format.samplesPerFrame();
        if (n % unit != 0) {
            return false;
        }
        int units = n / unit;
        return units == 1 || units == 2 || units == 4 || units == 8 || units == 16 || units == 24;
    }

    /**
     * Returns the format of the frames this encoder takes.
     *
     * @return the format
     */
    public AudioFormat format() {
        return format;
    }

    /**
     * Encodes one frame.
     *
     * @param frame {@code format().frameLength()} samples, interleaved when stereo
     * @param packet where the packet goes
     * @param offset where in {@code packet} it starts; {@link #MAX_PACKET_BYTES} from there
     *     always suffice
     * @return the packet's length in bytes
     */
    public int encode(short[] frame, byte[] packet, int offset) {
        try {
            return encoder.encode(frame, 0, format.samplesPerFrame(), packet, offset, packet.length - offset);
        } catch (OpusException e) {
            // only a too-small packet buffer or a broken encoder state gets here: a caller's bug
            throw new IllegalStateException("Opus encoding failed: " + e.getMessage(), e);
        }
    }
}
