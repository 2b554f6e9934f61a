package dev.tip.audio;

import dev.tip.core.voice.AudioFormat;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.util.Arrays;
import java.util.Objects;

/**
 * Decodes Opus packets from one speaker to PCM frames, and conceals lost packets (Opus's own
 * loss concealment extrapolates the voice instead of leaving a gap). A malformed packet is not an
 * exception: {@link #decode} returns false and the frame holds concealment, so the caller counts
 * and drops it. Confined to one thread (the thread that decodes this speaker).
 *
 * <pre>{@code
 * OpusFrameDecoder decoder = new OpusFrameDecoder(new AudioFormat(48_000, 1, 16, 960));
 * if (packetArrived) decoder.decode(packet, 0, length, frame); else decoder.conceal(frame);
 * }</pre>
 */
public final class OpusFrameDecoder {
    private final AudioFormat format;
    private final OpusDecoder decoder;

    /**
     * Creates a decoder.
     *
     * @param format the frames' format; see {@link OpusFrameEncoder#supports(AudioFormat)}
     */
    public OpusFrameDecoder(AudioFormat format) {
        this.format = Objects.requireNonNull(format, "format");
        if (!OpusFrameEncoder.supports(format)) {
            throw new IllegalArgumentException("format must have a rate of 8000/12000/16000/24000/48000 Hz and frames "
                    + "of 2.5/5/10/20/40/60 ms for Opus, was " + format);
        }
        try {
            decoder = new OpusDecoder(format.sampleRate(), format.channels());
        } catch (OpusException e) {
            throw new IllegalStateException("Opus refused " + format + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns the format of the frames this decoder produces.
     *
     * @return the format
     */
    public AudioFormat format() {
        return format;
    }

    /**
     * Decodes one packet into one frame.
     *
     * @param packet the packet's bytes
     * @param offset where the packet starts
     * @param length the packet's length
     * @param frame receives {@code format().frameLength()} samples
     * @return true if decoded; false if the packet was malformed or of another frame size (the
     *     frame then holds concealment)
     */
    public boolean decode(byte[] packet, int offset, int length, short[] frame) {
        try {
            int samples = decoder.decode(packet, offset, length, frame, 0, format.samplesPerFrame(), false);
            if (samples == format.samplesPerFrame()) {
                return true;
            }
        } catch (OpusException | RuntimeException e) {
            // a malformed packet from the network: fall through to concealment, no exception out
        }
        conceal(frame);
        return false;
    }

    /**
     * Recovers a lost frame from the forward error correction data of the packet that followed it
     * (a packet carries a coarse copy of the frame before it when the sender's encoder expects loss).
     * Call it, instead of {@link #conceal}, for the lost frame when its successor has arrived, then
     * {@link #decode} the successor itself. Where the packet has no FEC data, Opus conceals instead.
     *
     * @param next the packet after the lost frame
     * @param offset where it starts
     * @param length its length
     * @param frame where the recovered frame goes
     * @return true if the packet could be read (its FEC data or concealment is in {@code frame}),
     *     false if it was malformed ({@code frame} holds concealment)
     */
    public boolean recover(byte[] next, int offset, int length, short[] frame) {
        try {
            int samples = decoder.decode(next, offset, length, frame, 0, format.samplesPerFrame(), true);
            if (samples == format.samplesPerFrame()) {
                return true;
            }
        } catch (OpusException | RuntimeException e) {
            // a malformed packet: conceal instead
        }
        conceal(frame);
        return false;
    }

    /**
     * Whether a packet carries forward error correction data for the packet before it (SILK's
     * LBRR frames), read from its first two bytes without decoding: only a SILK-only or hybrid
     * packet can (RFC 6716, section 3.1), and only when its encoder expected loss and took the
     * lost frame for voice (SILK codes no LBRR for frames its voice activity detector calls
     * inactive, a steady tone among them). Where this is false, {@link #recover} would give
     * Opus's concealment, and the caller's own concealment may serve better.
     *
     * <p>A packet of several Opus frames (TOC code 1..3) is not read further: true when its mode
     * allows FEC.
     *
     * @param packet the packet's bytes
     * @param offset where the packet starts
     * @param length the packet's length
     * @return true if the packet holds FEC data for its predecessor
     */
    public static boolean carriesFec(byte[] packet, int offset, int length) {
        if (length < 2) {
            return false;
        }
        int toc = packet[offset] & 0xFF;
        int config = toc >>> 3;
        if (config >= 16) {
            return false; // CELT-only: no SILK layer, no LBRR
        }
        if ((toc & 3) != 0) {
            return true;
        }
        // a SILK frame per 20 ms (one for 10 and 20 ms packets); per channel, its voice activity
        // flags and then its LBRR flag open the range-coded stream, each a symbol of probability
        // 1/2, which the range coder writes as the top bits of the byte after the TOC
        int millis = config < 12 ? new int[] {10, 20, 40, 60}[config & 3] : new int[] {10, 20}[config & 1];
        int silkFrames = Math.max(1, millis / 20);
        int channels = (toc & 4) != 0 ? 2 : 1;
        int flags = packet[offset + 1] & 0xFF;
        for (int c = 0; c < channels; c++) {
            int lbrrBit = c * (silkFrames + 1) + silkFrames;
            if ((flags & (0x80 >>> lbrrBit)) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fills a frame for a packet that never came, continuing the voice smoothly.
     *
     * @param frame receives {@code format().frameLength()} samples
     */
    public void conceal(short[] frame) {
        try {
            int samples = decoder.decode(null, 0, 0, frame, 0, format.samplesPerFrame(), false);
            if (samples == format.samplesPerFrame()) {
                return;
            }
        } catch (OpusException | RuntimeException e) {
            // concealment itself failed: silence is the safe answer
        }
        Arrays.fill(frame, 0, format.frameLength(), (short) 0);
    }
}
