package dev.tip.core.internal.crypto;

import java.util.Base64;

/**
 * The text form of an X25519 public key in the TIP/2 handshake ({@code KEY_SHARE} in
 * SEND_NICKNAME and SESSION): 32 bytes as base64url without padding, 43 characters. Stateless;
 * thread-safe.
 */
public final class KeyShare {

    /** The handshake field's name. */
    public static final String FIELD = "KEY_SHARE";
    /** Length of the text form: 43 characters. */
    public static final int TEXT_LENGTH = 43;

    private KeyShare() {}

    /**
     * Writes a public key as the field's text.
     *
     * @param publicKey 32 bytes
     * @return 43 base64url characters
     */
    public static String encode(byte[] publicKey) {
        if (publicKey.length != KeyExchange.KEY_LENGTH) {
            throw new IllegalArgumentException("a public key is 32 bytes, was " + publicKey.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(publicKey);
    }

    /**
     * Reads the field's text.
     *
     * @param text the field's value
     * @return the 32 bytes
     * @throws IllegalArgumentException if it is not 43 base64url characters of 32 bytes
     */
    public static byte[] decode(String text) {
        if (text.length() != TEXT_LENGTH) {
            throw new IllegalArgumentException(
                    FIELD + " must be 43 base64url characters (32 bytes), was " + text.length() + " characters");
        }
        byte[] key;
        try {
            key = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(FIELD + " must be base64url: " + e.getMessage(), e);
        }
        if (key.length != KeyExchange.KEY_LENGTH) {
            throw new IllegalArgumentException(FIELD + " must be 32 bytes, was " + key.length);
        }
        return key;
    }
}
