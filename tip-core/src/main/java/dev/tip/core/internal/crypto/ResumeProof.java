package dev.tip.core.internal.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TIP/2 session resumption's secret and proof (docs/protocol.md, "Resuming a session"). An
 * encrypting session's resume secret is derived from its key exchange, never sent:
 * {@code HKDF-Expand(prk, "tip2 resume", 16)} with the same {@code prk} as the voice keys
 * ({@link SessionKeys}); a plaintext session's is 16 random bytes the server sends in SESSION. A
 * client proves it holds the secret without sending it: {@code RESUME_PROOF} is
 * {@code "<n>:<hex HMAC-SHA256(secret, "tip2 resume" || id || n)>"} with the session id as 4 bytes
 * and an attempt number {@code n} as 8 bytes, big-endian; the server takes a proof only with an
 * {@code n} larger than any it took before for that session, so a proof seen on the wire cannot be
 * played again. Stateless and thread-safe.
 */
public final class ResumeProof {

    /** Length of a resume secret in bytes. */
    public static final int SECRET_LENGTH = 16;

    private static final byte[] LABEL = "tip2 resume".getBytes(StandardCharsets.US_ASCII);
    private static final int MAC_HEX = 64;

    private ResumeProof() {}

    /**
     * Derives an encrypting session's resume secret from its key exchange.
     *
     * @param sharedSecret the X25519 shared secret
     * @param clientPublicKey the client's public key
     * @param serverPublicKey the server's public key
     * @return 16 bytes
     */
    public static byte[] deriveSecret(byte[] sharedSecret, byte[] clientPublicKey, byte[] serverPublicKey) {
        byte[] salt = new byte[clientPublicKey.length + serverPublicKey.length];
        System.arraycopy(clientPublicKey, 0, salt, 0, clientPublicKey.length);
        System.arraycopy(serverPublicKey, 0, salt, clientPublicKey.length, serverPublicKey.length);
        byte[] prk = Hkdf.extract(salt, sharedSecret);
        try {
            return Hkdf.expand(prk, LABEL, SECRET_LENGTH);
        } finally {
            Arrays.fill(prk, (byte) 0);
        }
    }

    /**
     * The proof of attempt {@code n} to resume session {@code id}.
     *
     * @param secret the resume secret
     * @param id the session id
     * @param n the attempt number, at least 1
     * @return {@code "<n>:<64 hex digits>"}
     */
    public static String proof(byte[] secret, int id, long n) {
        return n + ":" + HexFormat.of().formatHex(mac(secret, id, n));
    }

    /**
     * Reads the attempt number of a proof.
     *
     * @param proof the RESUME_PROOF text
     * @return the attempt number, or -1 if the text is not a proof
     */
    public static long attempt(String proof) {
        int colon = proof.indexOf(':');
        if (colon < 1 || colon > 18 || proof.length() != colon + 1 + MAC_HEX) {
            return -1;
        }
        try {
            long n = Long.parseLong(proof, 0, colon, 10);
            return n >= 1 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Checks a proof (in constant time over the MAC).
     *
     * @param secret the session's resume secret
     * @param id the session id it names
     * @param proof the RESUME_PROOF text
     * @return true if it was made with the secret for that id and its attempt number
     */
    public static boolean verify(byte[] secret, int id, String proof) {
        long n = attempt(proof);
        if (n < 1) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(proof, proof.indexOf(':') + 1, proof.length());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(given, mac(secret, id, n));
    }

    private static byte[] mac(byte[] secret, int id, long n) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(LABEL);
            mac.update(ByteBuffer.allocate(12).putInt(id).putLong(n).array());
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
