package dev.tip.core.internal;

import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.TipProtocol;
import dev.tip.core.voice.AudioFormat;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a TIP/2 SESSION tells the client about voice: the token that proves its voice address and
 * the room's format ({@code TOKEN}, {@code RATE}, {@code FRAME}; docs/protocol.md, "Negotiation").
 * Immutable and thread-safe.
 *
 * @param token the 64-bit secret, as sent in HELLO and KEEPALIVE
 * @param format the room's PCM format
 * @param codec the codec the client sends in ({@code CODEC}, {@code "pcm"} when absent)
 * @param bitrate the most bits per second for that codec ({@code BITRATE}, 0 when absent)
 */
public record VoiceParameters(long token, AudioFormat format, String codec, int bitrate) {

    /**
     * PCM parameters.
     *
     * @param token the token
     * @param format the room's format
     */
    public VoiceParameters(long token, AudioFormat format) {
        this(token, format, TipProtocol.PCM, 0);
    }

    /** Length of the TOKEN field: 16 hex digits. */
    public static final int TOKEN_HEX_DIGITS = 16;

    /**
     * Reads the TIP/2 fields of a SESSION. {@code RATE} and {@code FRAME} default to the original
     * format when absent.
     *
     * @param session the SESSION's extension fields
     * @return the parameters
     * @throws IllegalArgumentException naming the field, if TOKEN is missing or not 16 hex digits,
     *     or RATE or FRAME is not a valid format
     */
    public static VoiceParameters fromSession(Extensions session) {
        Optional<String> hex = session.getString("TOKEN");
        if (hex.isEmpty()) {
            throw new IllegalArgumentException("SESSION has VERSION 2 but no TOKEN string");
        }
        long token = parseToken(hex.get());
        int rate = intField(session, "RATE", AudioFormat.ORIGINAL.sampleRate());
        int frame = intField(session, "FRAME", AudioFormat.ORIGINAL.samplesPerFrame());
        AudioFormat format;
        try {
            format = new AudioFormat(rate, 1, 16, frame);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "SESSION RATE/FRAME " + rate + "/" + frame + " invalid: " + e.getMessage(), e);
        }
        String codec = TipProtocol.PCM;
        if (session.get(TipProtocol.CODEC).isPresent()) {
            codec = session.getString(TipProtocol.CODEC)
                    .filter(c -> !c.isEmpty())
                    .map(c -> c.toLowerCase(java.util.Locale.ROOT))
                    .orElseThrow(() -> new IllegalArgumentException("SESSION CODEC must be a codec's name, was "
                            + session.get(TipProtocol.CODEC).get()));
        }
        int bitrate = session.get(TipProtocol.BITRATE).isPresent() ? intField(session, TipProtocol.BITRATE, 0) : 0;
        return new VoiceParameters(token, format, codec, bitrate);
    }

    /**
     * Parses a TOKEN: exactly 16 hex digits, big-endian.
     *
     * @param hex the field's text
     * @return the 64 bits
     * @throws IllegalArgumentException if it is not 16 hex digits
     */
    public static long parseToken(String hex) {
        if (hex.length() != TOKEN_HEX_DIGITS) {
            throw new IllegalArgumentException("SESSION TOKEN must be 16 hex digits, was \"" + hex + "\"");
        }
        long v = 0;
        for (int i = 0; i < TOKEN_HEX_DIGITS; i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                throw new IllegalArgumentException("SESSION TOKEN must be 16 hex digits, was \"" + hex + "\"");
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private static int intField(Extensions session, String name, int absent) {
        if (session.get(name).isEmpty()) {
            return absent;
        }
        OptionalLong v = session.getLong(name);
        if (v.isEmpty() || v.getAsLong() < 1 || v.getAsLong() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("SESSION " + name + " must be a positive integer, was "
                    + session.get(name).get());
        }
        return (int) v.getAsLong();
    }
}
