package dev.tip.core.protocol;

/**
 * The facts of the TIP wire protocol that client, server and tools share, owned here once
 * (docs/protocol.md): the default port, the TIP/2 version number, the original client's greeting
 * datagram and its nickname rule. Constants and pure functions only; thread-safe.
 */
public final class TipProtocol {

    /** The port of TCP and UDP when nothing else is said: 9999, as the original. */
    public static final int DEFAULT_PORT = 9999;

    /** The {@code VERSION} a TIP/2 peer puts in SEND_NICKNAME and a TIP/2 server in SESSION. */
    public static final int TIP2_VERSION = 2;

    /** The length of the datagram the original client sends right after CLIENT_PORT. */
    public static final int GREETING_LENGTH = 1024;

    /** The byte that datagram is made of: ASCII {@code a}. */
    public static final byte GREETING_BYTE = 'a';

    /** The longest nickname the original client accepts, in code points (it wants fewer than 20). */
    public static final int MAX_NICKNAME_LENGTH = 19;

    private TipProtocol() {}

    /**
     * Checks a nickname by the original client's rule: not empty, at most
     * {@value #MAX_NICKNAME_LENGTH} code points, no control characters.
     *
     * @param name the nickname
     * @return null if it is valid, else why not, in words a user can be shown
     */
    public static String nicknameProblem(String name) {
        if (name.isEmpty()) {
            return "Nickname must not be empty";
        }
        if (name.codePointCount(0, name.length()) > MAX_NICKNAME_LENGTH) {
            return "Nickname must be shorter than " + (MAX_NICKNAME_LENGTH + 1) + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                return "Nickname must not contain control characters";
            }
        }
        return null;
    }

    /**
     * Makes the original client's greeting datagram, for a peer that speaks the original dialect.
     *
     * @return a new array of {@value #GREETING_LENGTH} bytes of ASCII {@code a}
     */
    public static byte[] greeting() {
        byte[] b = new byte[GREETING_LENGTH];
        java.util.Arrays.fill(b, GREETING_BYTE);
        return b;
    }

    /**
     * Tells whether a datagram is the original client's greeting (1024 bytes of ASCII {@code a}),
     * which is not voice. Absolute reads only: the buffer's position and limit are not touched, and
     * nothing is allocated.
     *
     * @param buf the buffer holding the datagram
     * @param offset where the datagram starts
     * @param length its length
     * @return true for the greeting
     */
    public static boolean isGreeting(java.nio.ByteBuffer buf, int offset, int length) {
        if (length != GREETING_LENGTH) {
            return false;
        }
        for (int i = offset; i < offset + GREETING_LENGTH; i += 8) {
            if (buf.getLong(i) != EIGHT_A) {
                return false;
            }
        }
        return true;
    }

    private static final long EIGHT_A = 0x6161616161616161L;
}
