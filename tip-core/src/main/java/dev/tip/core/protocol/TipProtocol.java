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

    /** TIP/2 SEND_NICKNAME: the codecs a client decodes and may send, an array of names. */
    public static final String CODECS = "CODECS";
    /** TIP/2 SESSION: the codec the client sends in; absent means {@value #PCM}. */
    public static final String CODEC = "CODEC";
    /** TIP/2 SESSION: the most bits per second the client's encoder may use. */
    public static final String BITRATE = "BITRATE";
    /**
     * TIP/2 SEND_NICKNAME and SESSION: {@code "TUNNEL": 1} offers (client) and accepts (server)
     * voice datagrams framed on the control connection ({@link TunnelFramer}).
     */
    public static final String TUNNEL = "TUNNEL";
    /** The name of raw PCM, which every peer decodes. */
    public static final String PCM = "pcm";
    /**
     * How the REASON of TIP's server's DISCONNECT begins when it has no room for a newcomer (every
     * session id taken, or too many users from the address); clients tell it from a rejected
     * nickname by it, as no KEY says so.
     */
    public static final String SERVER_FULL = "Server full";

    /** Most codec names read from one offer; the rest are ignored. */
    public static final int MAX_OFFERED_CODECS = 8;

    private TipProtocol() {}

    /**
     * Reads the codecs a TIP/2 client offers in SEND_NICKNAME: the strings of its {@value #CODECS}
     * array, lower case, at most {@value #MAX_OFFERED_CODECS}; anything else there is ignored.
     *
     * @param extensions the message's other fields
     * @return the names in the client's order; empty when it offers none (it sends PCM)
     */
    public static java.util.List<String> offeredCodecs(Extensions extensions) {
        if (!(extensions.get(CODECS).orElse(null) instanceof JsonValue.Arr arr)) {
            return java.util.List.of();
        }
        java.util.List<String> names = new java.util.ArrayList<>();
        for (JsonValue v : arr.values()) {
            if (names.size() == MAX_OFFERED_CODECS) {
                break;
            }
            if (v instanceof JsonValue.Str str
                    && !str.value().isEmpty()
                    && str.value().length() <= 32) {
                names.add(str.value().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return java.util.List.copyOf(names);
    }

    /**
     * Picks the codec a TIP/2 client sends in: the server's first choice that the client offered,
     * else {@value #PCM}.
     *
     * @param serverCodecs the server's codecs, best first (PCM need not be listed)
     * @param offered what the client offered
     * @return the codec's name
     */
    public static String chooseCodec(java.util.List<String> serverCodecs, java.util.List<String> offered) {
        for (String c : serverCodecs) {
            if (offered.contains(c)) {
                return c;
            }
        }
        return PCM;
    }

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

    /** TIP/2 LOSS_REPORT, client to server: the share of voice packets it lost lately. */
    public static final int KEY_LOSS_REPORT = 25;
    /** TIP/2 LOSS_PROTECT, server to client: the loss its encoder should protect against. */
    public static final int KEY_LOSS_PROTECT = 26;
    /** LOSS_REPORT's and LOSS_PROTECT's field: percent, 0..100. */
    public static final String LOSS = "LOSS";
    /** The FEATURES entry for loss feedback (LOSS_REPORT and LOSS_PROTECT). */
    public static final String FEATURE_LOSS = "loss";

    /**
     * Tells whether a KEY is one of the loss-feedback messages, whose fields a decoder keeps as
     * they came ({@code ControlMessage.Extended}).
     *
     * @param key a message's KEY
     * @return true for LOSS_REPORT and LOSS_PROTECT
     */
    public static boolean isLossKey(int key) {
        return key == KEY_LOSS_REPORT || key == KEY_LOSS_PROTECT;
    }
}
