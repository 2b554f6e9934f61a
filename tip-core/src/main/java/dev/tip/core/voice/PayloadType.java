package dev.tip.core.voice;

/**
 * The payload type codes of a TIP/2 voice datagram (byte 1 of the header), as plain {@code int}
 * constants so that the voice path never allocates or boxes. Immutable and thread-safe.
 *
 * <pre>{@code
 * if (datagram.payloadType() == PayloadType.PCM) { ... }
 * }</pre>
 */
public final class PayloadType {

    /** Signed 16-bit little-endian PCM at the room's rate. */
    public static final int PCM = 0;
    /** One Opus packet. */
    public static final int OPUS = 1;
    /** The client's HELLO: proves its voice address with the 8-byte token as payload. */
    public static final int HELLO = 16;
    /** The server's answer to a valid HELLO; the token as payload. */
    public static final int HELLO_ACK = 17;
    /** Sent while silent so that a NAT keeps its binding; the token as payload. */
    public static final int KEEPALIVE = 18;

    /** The payload length of HELLO, HELLO_ACK and KEEPALIVE: the 64-bit token. */
    public static final int TOKEN_LENGTH = 8;

    private PayloadType() {}

    /**
     * Tells whether a code is one this version of TIP knows.
     *
     * @param code the payload type byte, 0..255
     * @return true for PCM, OPUS, HELLO, HELLO_ACK and KEEPALIVE
     */
    public static boolean isKnown(int code) {
        return code == PCM || code == OPUS || isControl(code);
    }

    /**
     * Tells whether a code is a control datagram (HELLO, HELLO_ACK, KEEPALIVE) that carries the
     * token rather than audio.
     *
     * @param code the payload type byte
     * @return true for the control types
     */
    public static boolean isControl(int code) {
        return code == HELLO || code == HELLO_ACK || code == KEEPALIVE;
    }

    /**
     * Tells whether a code carries audio (PCM or Opus).
     *
     * @param code the payload type byte
     * @return true for PCM and OPUS
     */
    public static boolean isAudio(int code) {
        return code == PCM || code == OPUS;
    }

    /**
     * Returns the name of a code, for logs and diagnostics (not for the voice path).
     *
     * @param code the payload type byte
     * @return the constant's name, or {@code "UNKNOWN(code)"}
     */
    public static String name(int code) {
        switch (code) {
            case PCM:
                return "PCM";
            case OPUS:
                return "OPUS";
            case HELLO:
                return "HELLO";
            case HELLO_ACK:
                return "HELLO_ACK";
            case KEEPALIVE:
                return "KEEPALIVE";
            default:
                return "UNKNOWN(" + code + ")";
        }
    }
}
