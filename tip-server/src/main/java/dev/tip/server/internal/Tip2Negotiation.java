package dev.tip.server.internal;

import dev.tip.core.internal.crypto.KeyExchange;
import dev.tip.core.internal.crypto.KeyShare;
import dev.tip.core.internal.crypto.ResumeProof;
import dev.tip.core.internal.crypto.SessionKeys;
import dev.tip.core.protocol.ControlMessage;
import dev.tip.core.protocol.Extensions;
import dev.tip.core.protocol.TipProtocol;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a joining client's SEND_NICKNAME negotiates, and the SESSION that answers it: the dialect
 * (VERSION), the codec it sends in (CODECS against the server's), and for a client that encrypts
 * the key exchange (KEY_SHARE) and the session keys. Pure: the {@link Room} applies the result.
 */
final class Tip2Negotiation {

    /**
     * What the room offers TIP/2 senders: its codecs, best first (PCM is always there besides), and
     * the most bits per second a sender's encoder may use.
     *
     * @param codecs codec names, lower case, best first; empty: PCM only
     * @param bitrate bits per second, in SESSION's BITRATE
     * @param requireEncryption whether clients that do not encrypt (no KEY_SHARE) are refused
     * @param keys makes the server's ephemeral key pair of each encrypting member
     * @param resumeWindowMillis how long a member whose connection broke may resume its session;
     *     0: no resumption
     */
    record Voice(
            List<String> codecs,
            int bitrate,
            boolean requireEncryption,
            Supplier<KeyExchange> keys,
            long resumeWindowMillis) {
        /** PCM only. */
        static final Voice PCM_ONLY = new Voice(List.of(), 0);

        /** Copies the list. */
        Voice {
            codecs = List.copyOf(codecs);
        }

        /** Encryption offered, not required, with fresh keys. */
        Voice(List<String> codecs, int bitrate) {
            this(codecs, bitrate, false, KeyExchange::generate, 0);
        }

        /** No resumption. */
        Voice(List<String> codecs, int bitrate, boolean requireEncryption, Supplier<KeyExchange> keys) {
            this(codecs, bitrate, requireEncryption, keys, 0);
        }
    }

    /** REASON of the DISCONNECT a client that does not encrypt gets from a server that requires it. */
    static final String ENCRYPTION_REQUIRED =
            "This server requires encrypted voice (TIP/2 with KEY_SHARE); update your client";

    /**
     * What a join negotiated.
     *
     * @param tip2 whether the client speaks TIP/2
     * @param codec the codec it sends in
     * @param keys the session keys, or null for a client that does not encrypt
     * @param serverShare the server's public key for SESSION, or null
     * @param refusal why the join is refused, or null
     * @param refusalIsPolicy whether the refusal is the server's policy (encryption required) rather
     *     than a malformed offer
     * @param tunnel whether the client offered the voice tunnel (SESSION accepts it)
     * @param resumeSecret the member's resume secret if it may resume its session, else null
     * @param resumeWindowMillis how long it may resume after its connection broke
     */
    record Offer(
            boolean tip2,
            String codec,
            SessionKeys keys,
            byte[] serverShare,
            String refusal,
            boolean refusalIsPolicy,
            boolean tunnel,
            byte[] resumeSecret,
            long resumeWindowMillis) {}

    /** SEND_NICKNAME: the client can resume its session ({@code "RESUMABLE": 1}). */
    static final String RESUMABLE = "RESUMABLE";
    /** SESSION: how long, in milliseconds, a broken session may be resumed. */
    static final String RESUME_WINDOW = "RESUME_WINDOW";
    /** SESSION of a plaintext member: its resume secret, 32 lowercase hex digits. */
    static final String RESUME_SECRET = "RESUME_SECRET";

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /**
     * Whether a join offers TIP/2's voice tunnel on the control connection: {@code "TUNNEL": 1} in
     * a TIP/2 SEND_NICKNAME.
     *
     * @param extensions the SEND_NICKNAME's other fields
     * @return true if the server tunnels this member's voice when it asks
     */
    static boolean wantsTunnel(Extensions extensions) {
        return extensions.getLong("VERSION").orElse(0) >= TipProtocol.TIP2_VERSION
                && extensions.getLong(TipProtocol.TUNNEL).orElse(0) == 1;
    }

    private Tip2Negotiation() {}

    /**
     * Reads a join's offer.
     *
     * @param voice what the room offers
     * @param extensions the SEND_NICKNAME's other fields
     * @return what was negotiated, or a refusal
     */
    static Offer offer(Voice voice, Extensions extensions) {
        // a larger VERSION is a newer client: it gets the highest dialect both speak
        boolean tip2 = extensions.getLong("VERSION").orElse(0) >= TipProtocol.TIP2_VERSION;
        boolean offersKey = tip2 && extensions.get(KeyShare.FIELD).isPresent();
        if (voice.requireEncryption() && !offersKey) {
            return new Offer(tip2, TipProtocol.PCM, null, null, ENCRYPTION_REQUIRED, true, false, null, 0);
        }
        SessionKeys keys = null;
        byte[] serverShare = null;
        byte[] resumeSecret = null;
        boolean resumable = tip2
                && voice.resumeWindowMillis() > 0
                && extensions.getLong(RESUMABLE).orElse(0) == 1;
        if (offersKey) {
            try {
                String text = extensions
                        .getString(KeyShare.FIELD)
                        .orElseThrow(() -> new IllegalArgumentException(
                                KeyShare.FIELD + " must be a string of 43 base64url characters"));
                byte[] clientShare = KeyShare.decode(text);
                KeyExchange mine = voice.keys().get();
                serverShare = mine.publicKey();
                byte[] shared = mine.sharedSecret(clientShare);
                keys = SessionKeys.derive(shared, clientShare, serverShare);
                if (resumable) {
                    // derived from the exchange: the secret never travels
                    resumeSecret = ResumeProof.deriveSecret(shared, clientShare, serverShare);
                }
            } catch (IllegalArgumentException e) {
                return new Offer(tip2, TipProtocol.PCM, null, null, e.getMessage(), false, false, null, 0);
            }
        }
        String codec =
                tip2 ? TipProtocol.chooseCodec(voice.codecs(), TipProtocol.offeredCodecs(extensions)) : TipProtocol.PCM;
        if (resumable && resumeSecret == null) {
            resumeSecret = new byte[ResumeProof.SECRET_LENGTH];
            RANDOM.nextBytes(resumeSecret);
        }
        return new Offer(
                tip2,
                codec,
                keys,
                serverShare,
                null,
                false,
                wantsTunnel(extensions),
                resumeSecret,
                resumable ? voice.resumeWindowMillis() : 0);
    }

    /**
     * TIP/2's SESSION: the server's KEY_SHARE and no TOKEN for a member that encrypts, the TOKEN
     * for one that does not; the room's format; the codec and its bitrate unless PCM.
     *
     * @param id the session id
     * @param token the plaintext member's token
     * @param offer what the join negotiated
     * @param bitrate the room's codec bitrate
     * @return the SESSION
     */
    static ControlMessage.Session session(int id, long token, Offer offer, int bitrate) {
        Extensions.Builder b = Extensions.builder().put("VERSION", TipProtocol.TIP2_VERSION);
        if (offer.serverShare() != null) {
            b.put(KeyShare.FIELD, KeyShare.encode(offer.serverShare()));
        } else {
            b.put("TOKEN", HexFormat.of().toHexDigits(token));
        }
        b.put("RATE", Room.ROOM_FORMAT.sampleRate()).put("FRAME", Room.ROOM_FORMAT.samplesPerFrame());
        if (!offer.codec().equals(TipProtocol.PCM)) {
            // an older TIP/2 client offered no codec and gets a SESSION as before
            b.put(TipProtocol.CODEC, offer.codec()).put(TipProtocol.BITRATE, bitrate);
        }
        if (offer.tunnel()) {
            b.put(TipProtocol.TUNNEL, 1);
        }
        if (offer.resumeSecret() != null) {
            b.put(RESUME_WINDOW, offer.resumeWindowMillis());
            if (offer.keys() == null) {
                // plaintext TIP/2: sent as the TOKEN is; an encrypting member derives it instead
                b.put(RESUME_SECRET, HexFormat.of().formatHex(offer.resumeSecret()));
            }
        }
        return new ControlMessage.Session(id, b.build());
    }
}
