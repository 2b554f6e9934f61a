package dev.tip.core.internal;

import dev.tip.core.internal.crypto.KeyShare;
import dev.tip.core.internal.crypto.SessionKeys;
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
 * @param token the 64-bit secret, as sent in plaintext HELLO and KEEPALIVE (0 when sealed)
 * @param format the room's PCM format
 * @param codec the codec the client sends in ({@code CODEC}, {@code "pcm"} when absent)
 * @param bitrate the most bits per second for that codec ({@code BITRATE}, 0 when absent)
 * @param keys the session's keys when the server answered the client's KEY_SHARE (every datagram
 *     sealed), or null for plaintext TIP/2
 */
public record VoiceParameters(long token, AudioFormat format, String codec, int bitrate, SessionKeys keys) {

    /**
     * Plaintext parameters.
     *
     * @param token the token
     * @param format the room's format
     * @param codec the codec
     * @param bitrate the bitrate cap
     */
    public VoiceParameters(long token, AudioFormat format, String codec, int bitrate) {
        this(token, format, codec, bitrate, null);
    }

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
     * Reads the TIP/2 fields of a SESSION without a KEY_SHARE. {@code RATE} and {@code FRAME}
     * default to the original format when absent.
     *
     * @param session the SESSION's extension fields
     * @return the parameters
     * @throws IllegalArgumentException naming the field, if TOKEN is missing or not 16 hex digits,
     *     or RATE or FRAME is not a valid format
     */
    public static VoiceParameters fromSession(Extensions session) {
        return fromSession(session, null);
    }

    /**
     * Reads the TIP/2 fields of a SESSION. {@code RATE} and {@code FRAME} default to the original
     * format when absent. With a {@code KEY_SHARE} there is no TOKEN; without one, TOKEN is required.
     *
     * @param session the SESSION's extension fields
     * @param keys derives the session's keys from the server's KEY_SHARE (32 bytes), or null if the
     *     client sent none (then a KEY_SHARE in SESSION is an error)
     * @return the parameters
     * @throws IllegalArgumentException naming the field, if TOKEN is missing or not 16 hex digits,
     *     KEY_SHARE is unasked for or invalid, or RATE or FRAME is not a valid format
     */
    public static VoiceParameters fromSession(
            Extensions session, java.util.function.Function<byte[], SessionKeys> keys) {
        SessionKeys sessionKeys = null;
        long token = 0;
        if (session.get(KeyShare.FIELD).isPresent()) {
            if (keys == null) {
                throw new IllegalArgumentException("SESSION has a KEY_SHARE, but this client sent none");
            }
            String share = session.getString(KeyShare.FIELD)
                    .orElseThrow(() -> new IllegalArgumentException("SESSION KEY_SHARE must be a string"));
            sessionKeys = keys.apply(KeyShare.decode(share));
        } else {
            Optional<String> hex = session.getString("TOKEN");
            if (hex.isEmpty()) {
                throw new IllegalArgumentException("SESSION has VERSION 2 but no TOKEN string");
            }
            token = parseToken(hex.get());
        }
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
        return new VoiceParameters(token, format, codec, bitrate, sessionKeys);
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
